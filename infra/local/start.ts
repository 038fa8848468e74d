/**
 * `npm start`: the whole platform on this machine, data kept under `.data/` (or
 * DANGJIAN_DATA_DIR), the gateway on PORT (default 3000). Ctrl-C stops every child.
 */
import { services } from '../../services/index.js';
import { isStage, stageConfig } from '../config.js';
import { startRuntime } from './runtime.js';

const dataDir = process.env.DANGJIAN_DATA_DIR ?? '.data';
const port = Number(process.env.PORT ?? 3000);
// Where front ends and `npm run token` reach the local Cognito (the emulator's usual port).
const cognitoPort = Number(process.env.COGNITO_PORT ?? 9229);
// API Gateway's limits of a stage (default dev), so a client meets 429s here before AWS;
// DANGJIAN_THROTTLE=off turns them off (load tests of the services themselves).
const throttleStage = process.env.DANGJIAN_THROTTLE ?? 'dev';
if (throttleStage !== 'off' && !isStage(throttleStage)) {
  console.error(`DANGJIAN_THROTTLE=${throttleStage}: use dev, staging, prod or off`);
  process.exit(1);
}
const throttle = throttleStage === 'off' ? undefined : stageConfig(throttleStage).throttle;

const main = async () => {
  const started = Date.now();
  const runtime = await startRuntime({
    services,
    dataDir,
    port,
    cognitoPort,
    logLevel: (process.env.LOG_LEVEL as 'INFO' | undefined) ?? 'INFO',
    corsOrigins: (process.env.CORS_ORIGINS ?? 'http://localhost:5173').split(',').filter(Boolean),
    ...(throttle ? { throttle } : {}),
    log: (entry) => {
      if (entry.level === 'error' || entry.level === 'warn') console.error(JSON.stringify(entry));
    },
  });
  console.log(`dangjian is running (${Date.now() - started} ms)
  API        ${runtime.url}   (health: ${runtime.url}/health)
  services   ${services.map((s) => s.name).join(', ') || '(none yet)'}
  data       ${runtime.dataDir}   (stop, then delete this folder to reset)
  DynamoDB   ${runtime.dynamodbEndpoint}
  S3         ${runtime.s3Endpoint}
  Cognito    ${runtime.identity.endpoint}   pool ${runtime.identity.userPoolId}, web client ${runtime.identity.clientId}
  throttle   ${throttle ? `${throttleStage} stage limits (DANGJIAN_THROTTLE=off to lift)` : 'off'}
  sign in    TOKEN=$(npm run -s token -- --role committee)     (or --person <personId>, --partner <partnerId>)
             curl -H "authorization: Bearer $TOKEN" ${runtime.url}/talent/people
  dead letters  npm run dead-letters   (redrive: npm run dead-letters -- --redrive [id])
Ctrl-C stops everything.`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    await runtime.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
};

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
