/**
 * Platform function: every person of the register gets a sign-in account that follows the
 * register. It takes talent's person events, reads the person as talent holds them now, and
 * brings the Cognito account in line:
 * - a person with an e-mail address gets an account named by their person id (the address
 *   is the sign-in alias), `custom:personId` set once, `custom:branchId`, group `member`;
 *   Cognito mails the invitation with the temporary password;
 * - a branch move changes `custom:branchId` (a new token carries it);
 * - becoming or ceasing to be their branch's secretary or a committee member adds or removes
 *   the group;
 * - a person who left the register has the account disabled and signed out everywhere.
 * Then it tells the register how the account stands (AccountChanged), so the person view
 * can show it, including why none could be made (the address belongs to another account).
 *
 * Contact details never travel in events: the events only name the person; the e-mail is
 * read from talent's table, through a grant that allows GetItem of person items and only
 * the attributes in `accountFactAttributes` (talent's store).
 *
 * Delivery is at least once and in any order. Because the function acts on the person as
 * they are now, not on what the event said, a repeated or late event changes nothing, and
 * an older version never undoes a newer one. Two deliveries at once might each read a
 * different version; each reads the person again after acting and acts again until what it
 * read did not change meanwhile, so the last to finish leaves the newest state.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { AccountFacts } from '../../services/talent/domain/roles.js';
import {
  MemberJoinedBranch,
  MemberLeftBranch,
  PersonRegistered,
  PersonUpdated,
  StageChanged,
} from '../../services/talent/events.js';
import { personFacts } from '../../services/talent/store.js';
import { type AccountChange, AccountChanged } from '../../shared/accounts.js';
import { roles } from '../../shared/auth.js';
import type { BusEvent } from '../../shared/events/contract.js';
import { buildEnvelope } from '../../shared/events/outbox.js';
import { claimOf } from '../identity.js';
import { parseEvent } from './bus-events.js';
import { type Account, accountActions, type CognitoAccounts, cognitoAccounts } from './cognito-accounts.js';
import type { PlatformFunction } from './platform-function.js';

/** Every talent event about a person; each carries the person's id. */
export const personEvents = [
  PersonRegistered,
  PersonUpdated,
  MemberJoinedBranch,
  MemberLeftBranch,
  StageChanged,
];

/** What the function needs of a person, read from talent's table as it is now. */
export type PersonFacts = AccountFacts;

export interface AccountsDeps {
  cognito: CognitoAccounts;
  people: { facts(personId: string): Promise<PersonFacts | undefined> };
  /** Puts AccountChanged on the bus. */
  news: { tell(change: AccountChange, at: Date): Promise<void> };
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  now?: () => Date;
}

/** The account names another person than its username says: a human must look. */
export class AccountMismatch extends Error {
  override readonly name = 'AccountMismatch';
}

const PERSON = claimOf('personId');
const BRANCH = claimOf('branchId');

/** The attributes the register calls for; `custom:personId` is written once, at creation. */
const wanted = (p: PersonFacts & { email: string }) => ({
  email: p.email,
  email_verified: 'true',
  name: p.name,
  ...(p.branchId ? { [BRANCH]: p.branchId } : {}),
});

const statusOf = (account: Account): AccountChange['status'] => {
  if (!account.enabled) return 'disabled';
  return account.status === 'FORCE_CHANGE_PASSWORD' ? 'invited' : 'active';
};

/** Groups to add and to leave; groups that are no role of ours are left alone. */
const groupChanges = (held: readonly string[], wantedGroups: readonly string[]) => ({
  add: wantedGroups.filter((g) => !held.includes(g)),
  remove: held.filter((g) => (roles as readonly string[]).includes(g) && !wantedGroups.includes(g)),
});

const alignGroups = async (
  cognito: CognitoAccounts,
  username: string,
  held: string[],
  want: readonly string[],
) => {
  const { add, remove } = groupChanges(held, want);
  for (const group of add) await cognito.addToGroup(username, group);
  for (const group of remove) await cognito.removeFromGroup(username, group);
};

/** One pass: the account made to match `p`; what the register should be told. */
const bringInLine = async (
  { cognito, log }: AccountsDeps,
  p: PersonFacts,
): Promise<Pick<AccountChange, 'status' | 'problem'>> => {
  const username = p.personId;
  let account = await cognito.get(username);
  if (!account) {
    if (!p.active || p.email === undefined) return { status: 'none' };
    const made = await cognito.create(username, {
      ...wanted({ ...p, email: p.email }),
      [PERSON]: p.personId,
    });
    if (made === 'email-taken') {
      log.warn('no account: the e-mail address belongs to another account', { personId: p.personId });
      return { status: 'none', problem: 'email-taken' };
    }
    if (made === 'created') log.info('account created, invitation sent', { personId: p.personId });
    account = await cognito.get(username);
    if (!account) throw new Error(`account ${username} was made but cannot be read back`);
  }
  if (account.attributes[PERSON] !== p.personId) {
    throw new AccountMismatch(
      `account ${username} names person ${account.attributes[PERSON] ?? '(none)'}; left unchanged for a human`,
    );
  }
  if (!p.active) {
    if (account.enabled) {
      await cognito.disable(username);
      log.info('account disabled: the person left the register', { personId: p.personId });
    }
    return { status: 'disabled' };
  }
  if (!account.enabled) await cognito.enable(username);

  let problem: AccountChange['problem'];
  const target: Record<string, string> =
    p.email === undefined
      ? { name: p.name, ...(p.branchId ? { [BRANCH]: p.branchId } : {}) }
      : wanted({ ...p, email: p.email });
  const changed = Object.fromEntries(Object.entries(target).filter(([k, v]) => account?.attributes[k] !== v));
  if (Object.keys(changed).length > 0) {
    if ((await cognito.update(username, changed)) === 'email-taken') {
      // The new address is another account's: everything else still follows, the old address stays.
      const { email: _e, email_verified: _v, ...rest } = changed;
      if (Object.keys(rest).length > 0) await cognito.update(username, rest);
      problem = 'email-taken';
    }
  }
  if (!p.branchId && account.attributes[BRANCH] !== undefined)
    await cognito.deleteAttributes(username, [BRANCH]);
  await alignGroups(cognito, username, account.groups, p.groups);
  return { status: statusOf({ ...account, enabled: true }), ...(problem ? { problem } : {}) };
};

const ROUNDS = 4;

/** Brings the account of the event's person in line with the register, then says how it stands. */
export const reconcileAccount = async (
  event: BusEvent,
  deps: AccountsDeps,
): Promise<AccountChange | undefined> => {
  const { data } = parseEvent('accounts', personEvents, event);
  const personId = data.person.personId;
  for (let round = 0; round < ROUNDS; round++) {
    const before = await deps.people.facts(personId);
    if (!before) {
      // talent's events follow its writes: a person it announced is in its table.
      throw new Error(`person ${personId} is not in talent's table`);
    }
    const outcome = await bringInLine(deps, before);
    const after = await deps.people.facts(personId);
    if (after?.version === before.version) {
      const change: AccountChange = { personId, personVersion: before.version, ...outcome };
      await deps.news.tell(change, deps.now?.() ?? new Date());
      return change;
    }
  }
  throw new Error(`person ${personId} kept changing while their account was brought in line; retried later`);
};

export const accounts: PlatformFunction = {
  name: 'accounts',
  entry: 'infra/functions/accounts-lambda.ts',
  description: "every person's Cognito account, following talent's register",
  takes: personEvents,
  cognitoActions: [...accountActions.read, ...accountActions.create, ...accountActions.maintain],
  readsPeople: personFacts.attributes,
  tells: [AccountChanged],
  build: (c) => (event) =>
    reconcileAccount(event, {
      cognito: cognitoAccounts(c.cognito, c.userPoolId),
      people: { facts: (personId) => personFacts.read(c.db, c.talentTable, personId) },
      news: {
        tell: async (change, at) => {
          const out = await c.eventBridge.send(
            new PutEventsCommand({
              Entries: [
                {
                  EventBusName: c.busName,
                  Source: AccountChanged.source,
                  DetailType: AccountChanged.name,
                  Detail: JSON.stringify(buildEnvelope(AccountChanged, change, at)),
                },
              ],
            }),
          );
          if (out.FailedEntryCount)
            throw new Error(`the bus refused AccountChanged: ${JSON.stringify(out.Entries)}`);
        },
      },
      log: c.log,
    }),
};
