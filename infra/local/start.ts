/**
 * `npm start`: the whole platform on this machine, data kept under `.data/` (or
 * DANGJIAN_DATA_DIR), the gateway on PORT (default 3000), the Cognito emulator on
 * COGNITO_PORT (default 9229), the mail catcher on MAIL_PORT (web, default 1080) and
 * SMTP_PORT (default 1025). `npm start -- --json` or LOG_FORMAT=json prints JSON logs.
 * The functions run from the TypeScript in-process; `npm start -- --bundles` or
 * DANGJIAN_BUILD=bundles runs the bundles CDK deploys instead, built at each start
 * (infra/local/bundles.ts). Not the default yet: on bundles, a seed opened more connections
 * to DynamoDB Local than it accepted in time (see the README).
 * Ctrl-C, SIGTERM, SIGHUP, or the end of the npm that launched it stop every child.
 * No test control (request time, settle, database faults) is on: see test/support/controls.ts.
 */
import { parseArgs } from 'node:util';
import { banner } from './banner.js';
import { consoleLog, type LogFormat } from './console-log.js';
import { stopOnEnd } from './lifecycle.js';
import { DataDirInUse, holderOf } from './lock.js';
import { takenPortMessage } from './ports.js';
import type { Runtime } from './runtime.js';

const USAGE =
  'usage: npm start [-- --json] [-- --bundles | --sources]   (DANGJIAN_BUILD, PORT, COGNITO_PORT, MAIL_PORT, SMTP_PORT, DANGJIAN_DATA_DIR, CORS_ORIGINS, LOG_FORMAT, LOG_LEVEL)';

/** One line on stderr, then out: a person reads it, a script sees the exit code. */
const refuse = (message: string): never => {
  console.error(message);
  process.exit(1);
};

const portOf = (variable: string, fallback: number): number => {
  const raw = process.env[variable];
  const port = Number(raw ?? fallback);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) refuse(`${variable}=${raw}: use a port, 1-65535`);
  return port;
};

let json = false;
let sources = false;
let bundles = false;
try {
  ({ json, sources, bundles } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      sources: { type: 'boolean', default: false },
      bundles: { type: 'boolean', default: false },
    },
    strict: true,
  }).values);
} catch (error) {
  refuse(`${(error as Error).message} (${USAGE})`);
}
const logFormat: LogFormat = json || process.env.LOG_FORMAT === 'json' ? 'json' : 'pretty';
if (process.env.LOG_FORMAT && !['json', 'pretty'].includes(process.env.LOG_FORMAT)) {
  refuse(`LOG_FORMAT=${process.env.LOG_FORMAT}: use pretty or json`);
}
const dataDir = process.env.DANGJIAN_DATA_DIR ?? '.data';
const port = portOf('PORT', 3000);
// Where front ends and `npm run token` reach the local Cognito (the emulator's usual port).
const cognitoPort = portOf('COGNITO_PORT', 9229);
// The mail catcher's usual ports, so its inbox stays at one address across starts.
const mailPort = portOf('MAIL_PORT', 1080);
const smtpPort = portOf('SMTP_PORT', 1025);
const throttleStage = process.env.DANGJIAN_THROTTLE ?? 'dev';
if (sources && bundles) refuse(`--bundles or --sources, not both (${USAGE})`);
const buildKind = sources ? 'sources' : bundles ? 'bundles' : (process.env.DANGJIAN_BUILD ?? 'sources');
if (buildKind !== 'bundles' && buildKind !== 'sources') {
  refuse(`DANGJIAN_BUILD=${buildKind}: use bundles or sources`);
}

// A closed terminal makes every write fail; stopping must still finish.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

const main = async () => {
  // The cheap refusals first, before a JVM is started for nothing.
  const holder = await holderOf(dataDir);
  if (holder) refuse(new DataDirInUse(holder, dataDir).message);
  const fixedPorts = [
    { port, variable: 'PORT', role: 'the API' },
    { port: cognitoPort, variable: 'COGNITO_PORT', role: 'the local Cognito' },
    { port: mailPort, variable: 'MAIL_PORT', role: 'the mail catcher' },
    { port: smtpPort, variable: 'SMTP_PORT', role: "the mail catcher's SMTP" },
  ];
  const taken = await takenPortMessage(fixedPorts);
  if (taken) refuse(taken);

  const started = Date.now();
  // Loaded only now (the services and the stage configuration take seconds): a refusal above
  // is immediate, and does not depend on the services' code.
  const [{ services }, { startRuntime }, { isStage, stageConfig }, { localCorsOrigins }] = await Promise.all([
    import('../../services/index.js'),
    import('./runtime.js'),
    import('../config.js'),
    import('./cors.js'),
  ]);
  // The dev stage's origins, as its HTTP API allows them, and any a front end's own dev server needs.
  let corsOrigins: string[] = [];
  try {
    corsOrigins = localCorsOrigins(stageConfig('dev').corsOrigins, process.env.CORS_ORIGINS);
  } catch (error) {
    refuse((error as Error).message);
  }
  // API Gateway's limits of a stage (default dev), so a client meets 429s here before AWS;
  // DANGJIAN_THROTTLE=off turns them off (load tests of the services themselves).
  if (throttleStage !== 'off' && !isStage(throttleStage)) {
    refuse(`DANGJIAN_THROTTLE=${throttleStage}: use dev, staging, prod or off`);
  }
  const throttle = throttleStage === 'off' ? undefined : stageConfig(throttleStage).throttle;
  const output = consoleLog(logFormat);
  const starting = startRuntime({
    services,
    dataDir,
    port,
    cognitoPort,
    mailPorts: { web: mailPort, smtp: smtpPort },
    build: buildKind as 'bundles' | 'sources',
    logLevel: (process.env.LOG_LEVEL as 'INFO' | undefined) ?? 'INFO',
    corsOrigins,
    ...(throttle ? { throttle } : {}),
    ...output,
  });
  // A stop during start-up waits for the start, then undoes it.
  await stopOnEnd(async (reason) => {
    console.error(`\n${reason}: stopping…`);
    const runtime = await starting.catch(() => undefined);
    await runtime?.stop();
  });

  let runtime: Runtime;
  try {
    runtime = await starting;
  } catch (error) {
    // Taken while the JVM started: said the same way as before it.
    const late =
      (error as NodeJS.ErrnoException).code === 'EADDRINUSE' && (await takenPortMessage(fixedPorts));
    return refuse(late || (error instanceof Error ? error.message : String(error)));
  }
  console.log(
    banner({
      runtime,
      startedInMs: Date.now() - started,
      services: services.map((s) => s.name),
      throttle: throttle ? `${throttleStage} stage limits (DANGJIAN_THROTTLE=off to lift)` : 'off',
      corsOrigins,
      logFormat,
      env: { PORT: process.env.PORT, DANGJIAN_DATA_DIR: process.env.DANGJIAN_DATA_DIR },
    }),
  );
};

main().catch((error: unknown) => refuse(error instanceof Error ? error.message : String(error)));
