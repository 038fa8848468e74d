/**
 * What a departure (组织关系转出, the end of a membership) leaves counted in talent, through the
 * gateway: only current members are on the register, in the insights and in a branch's dues
 * arrears; the record stays readable by the committee, and the account signs in no more.
 */
import { describe, expect, it } from 'vitest';
import { cognitoAccounts } from '../../infra/functions/cognito-accounts.js';
import { localCognitoClient } from '../../infra/local/cognito.js';
import { SignInRefused, signIn } from '../../infra/local/sign-in.js';
import { newId } from '../../shared/ids.js';
import { runtime } from '../support/api.js';
import { DELIVERY_BUDGET_MS, deliveries, timeoutFor, until } from '../support/wait.js';
import { committee, newBranch, register, TODAY } from './support.js';

const at = { now: TODAY };
const letter = {
  letterNumber: '京药检党转字〔2026〕31号',
  receivingOrganisation: '中共某某市市场监督管理局机关委员会',
  on: '2026-11-20',
};
const decision = { on: '2026-11-20', reason: '经党委会研究决定', authority: '党委〔2026〕21号' };

describe('after a departure, talent counts only current members', () => {
  it(
    'leaves the register, the pipeline and age counts and the dues arrears; the record stays',
    async () => {
      const admin = await committee();
      const { branchId } = await newBranch(admin);
      const stays = await register(admin, { branchId, politicalStatus: 'full', statusSince: '2010-07-01' });
      const transferred = await register(admin, {
        branchId,
        politicalStatus: 'full',
        statusSince: '2012-07-01',
      });
      const expelled = await register(admin, {
        branchId,
        politicalStatus: 'probationary',
        statusSince: '2026-03-01',
      });
      const activist = await register(admin, {
        branchId,
        politicalStatus: 'activist',
        statusSince: '2025-01-01',
      });
      const arrears = async () =>
        (
          (await admin.get(`/talent/dues/arrears?branchId=${branchId}`, at)).body.members as {
            personId: string;
          }[]
        )
          .map((m) => m.personId)
          .sort();
      const before = await admin.get(`/talent/insights/pipeline?branchId=${branchId}`, at);
      expect(before.body.counts).toMatchObject({ full: 2, probationary: 1, activist: 1 });
      expect(await arrears()).toEqual([stays.personId, transferred.personId, expelled.personId].sort());

      const out = await admin.post(
        `/talent/people/${transferred.personId}/transfer-out`,
        { version: transferred.version, ...letter },
        at,
      );
      expect(out.status, out.text).toBe(200);
      const ended = await admin.post(
        `/talent/people/${expelled.personId}/end-membership`,
        { version: expelled.version, kind: 'expelled', ...decision },
        at,
      );
      expect(ended.status, ended.text).toBe(200);

      const listed = await admin.get(`/talent/people?branchId=${branchId}`);
      expect(listed.body.items.map((p: { personId: string }) => p.personId).sort()).toEqual(
        [stays.personId, activist.personId].sort(),
      );
      const pipeline = await admin.get(`/talent/insights/pipeline?branchId=${branchId}`, at);
      expect(pipeline.body.counts).toMatchObject({ full: 1, probationary: 0, activist: 1 });
      const ages = await admin.get(`/talent/insights/age-structure?branchId=${branchId}`, at);
      expect(ages.body.members.count).toBe(1);
      expect(await arrears()).toEqual([stays.personId]);
      // History keeps them: the committee still reads each record and its timeline.
      for (const gone of [transferred, expelled]) {
        const record = await admin.get(`/talent/people/${gone.personId}`);
        expect(record.status).toBe(200);
        expect(record.body.departure.formerBranchId).toBe(branchId);
        expect((await admin.get(`/talent/people/${gone.personId}/timeline`)).status).toBe(200);
      }
      // Waits: its own requests and the roster copies.
    },
    timeoutFor(deliveries(1)),
  );

  it(
    'disables the account of a member transferred out: their sign-in is refused',
    async () => {
      const admin = await committee();
      const { branchId } = await newBranch(admin);
      const { endpoint, userPoolId } = runtime().identity;
      const accounts = cognitoAccounts(localCognitoClient(endpoint), userPoolId);
      const member = await register(admin, {
        branchId,
        politicalStatus: 'full',
        statusSince: '2015-07-01',
        email: `p${newId().toLowerCase()}@example.cn`,
      });
      await until(
        'the account is made',
        DELIVERY_BUDGET_MS,
        async () => (await accounts.get(member.personId))?.enabled === true,
      );
      const out = await admin.post(
        `/talent/people/${member.personId}/transfer-out`,
        { version: member.version, ...letter },
        at,
      );
      expect(out.status, out.text).toBe(200);
      await until(
        'the account is disabled',
        DELIVERY_BUDGET_MS,
        async () => (await accounts.get(member.personId))?.enabled === false,
      );
      await expect(signIn(runtime().identity, runtime().dataDir, member.personId)).rejects.toThrow(
        SignInRefused,
      );
      // Waits: the account made, then disabled.
    },
    timeoutFor(deliveries(2)),
  );
});
