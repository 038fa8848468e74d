/**
 * Prints a token of the local issuer, for curl and the API docs' "Authorize" button:
 *
 *   TOKEN=$(npm run -s token -- --role secretary --role member --branch 01J...)
 *
 * stdout carries the token alone; everything else goes to stderr. The keys are those of
 * the running local runtime (same data dir), so its gateway accepts the token.
 */
import { parseArgs } from 'node:util';
import { isRole, roles as ROLES, type Role } from '../../shared/auth.js';
import { createLocalIssuer } from './auth.js';

const USAGE =
  'usage: npm run token -- --role committee|secretary|member|partner [--role ...] [--sub ID] [--branch ID] [--org ID] [--hours N]';

// One line, so that a failing `TOKEN=$(npm run -s token ...)` explains itself in one line.
const fail = (message: string): never => {
  console.error(`token: ${message} (try --help)`);
  process.exit(2);
};

const main = async (): Promise<void> => {
  let values: {
    role?: string[];
    sub?: string;
    branch?: string;
    org?: string;
    hours?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      options: {
        role: { type: 'string', multiple: true, short: 'r' },
        sub: { type: 'string' },
        branch: { type: 'string' },
        org: { type: 'string' },
        hours: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    return fail((err as Error).message);
  }
  if (values.help) {
    console.error(USAGE);
    return;
  }

  const requested = values.role ?? [];
  if (requested.length === 0) fail('at least one --role is required');
  const unknown = requested.find((role) => !isRole(role));
  if (unknown !== undefined) fail(`unknown role "${unknown}", expected one of: ${ROLES.join(', ')}`);
  const roles = [...new Set(requested)] as Role[];

  let expiresInSeconds: number | undefined;
  if (values.hours !== undefined) {
    const hours = Number(values.hours);
    if (!Number.isFinite(hours) || hours <= 0)
      fail(`--hours must be a positive number, got "${values.hours}"`);
    expiresInSeconds = Math.max(1, Math.round(hours * 3600));
  }

  if (values.branch === undefined && (roles.includes('secretary') || roles.includes('member'))) {
    console.error('token: warning: no --branch; routes scoped to the caller’s branch will refuse this token');
  }
  if (values.org === undefined && roles.includes('partner')) {
    console.error('token: warning: no --org; partner routes will refuse this token');
  }

  const dataDir = process.env.DANGJIAN_DATA_DIR ?? '.data';
  const issuer = await createLocalIssuer({ dataDir });
  const token = await issuer.issueToken({
    roles,
    ...(values.sub !== undefined ? { sub: values.sub } : {}),
    ...(values.branch !== undefined ? { branchId: values.branch } : {}),
    ...(values.org !== undefined ? { orgId: values.org } : {}),
    ...(expiresInSeconds !== undefined ? { expiresInSeconds } : {}),
  });

  const verdict = await issuer.verify(`Bearer ${token}`);
  if (!verdict.ok) throw new Error(`issued a token that does not verify: ${verdict.reason}`);
  const c = verdict.claims;
  console.error(
    `token: sub=${c.sub} cognito:groups=${c['cognito:groups']} custom:branchId=${c['custom:branchId'] ?? '-'} ` +
      `custom:orgId=${c['custom:orgId'] ?? '-'} expires=${new Date(Number(c.exp) * 1000).toISOString()} (keys in ${dataDir}/auth)`,
  );
  process.stdout.write(`${token}\n`);
};

main().catch((err: unknown) => {
  console.error(`token: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
