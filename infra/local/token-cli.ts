/**
 * Signs in to the local pool and prints the ID token, for curl and the API docs'
 * "Authorize" button:
 *
 *   TOKEN=$(npm run -s token -- --person 01J...)     a person's account
 *   TOKEN=$(npm run -s token -- --role committee)    the bootstrap committee account
 *   TOKEN=$(npm run -s token -- --partner 01J...)    a partner organisation's account
 *
 * stdout carries the token alone; everything else goes to stderr, in one line when it fails.
 * The pool is the running runtime's (same data dir).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { decodeJwt } from 'jose';
import { BOOTSTRAP_COMMITTEE, type LocalCognitoInfo } from './cognito.js';
import { SignInRefused, signIn } from './sign-in.js';

const USAGE = 'usage: npm run -s token -- --person <personId> | --partner <partnerId> | --role committee';

const fail = (message: string): never => {
  console.error(`token: ${message}`);
  process.exit(2);
};

const main = async (): Promise<void> => {
  let values: { person?: string; partner?: string; role?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        person: { type: 'string' },
        partner: { type: 'string' },
        role: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    return fail(`${(err as Error).message} (${USAGE})`);
  }
  if (values.help) {
    console.error(USAGE);
    return;
  }
  const chosen = [values.person, values.partner, values.role].filter((v) => v !== undefined);
  if (chosen.length !== 1) fail(`name exactly one account (${USAGE})`);
  if (values.role !== undefined && values.role !== 'committee') {
    fail(`--role takes only committee (the bootstrap account); a person signs in with --person`);
  }
  // A person's and a partner's account are named by their id; the committee's is the bootstrap one.
  const username = values.person ?? values.partner ?? BOOTSTRAP_COMMITTEE.username;

  const dataDir = process.env.DANGJIAN_DATA_DIR ?? '.data';
  let pool: LocalCognitoInfo;
  try {
    pool = JSON.parse(await readFile(join(dataDir, 'runtime.json'), 'utf8')).identity;
  } catch {
    return fail(`no running platform in ${dataDir} (start it first: npm start)`);
  }
  let token: string;
  try {
    token = await signIn(pool, dataDir, username);
  } catch (error) {
    if (error instanceof SignInRefused) return fail(error.message);
    return fail(`the local Cognito at ${pool.endpoint} did not answer: ${(error as Error).message}`);
  }
  const c = decodeJwt(token);
  console.error(
    `token: account ${c.sub} person ${c['custom:personId'] ?? '-'} groups ${JSON.stringify(c['cognito:groups'] ?? [])} ` +
      `branch ${c['custom:branchId'] ?? '-'} org ${c['custom:orgId'] ?? '-'} expires ${new Date(Number(c.exp) * 1000).toISOString()}`,
  );
  process.stdout.write(`${token}\n`);
};

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
