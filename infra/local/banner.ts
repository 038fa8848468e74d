/**
 * What `npm start` prints once the platform serves: where it is, what to do next, how to
 * stop it. Commands for another terminal carry the variables this start was given, so they
 * reach this runtime and not the default one.
 */
import type { Runtime } from './runtime.js';

export interface BannerInput {
  runtime: Runtime;
  startedInMs: number;
  services: string[];
  throttle: string;
  /** The origins a browser app may call the API from. */
  corsOrigins: readonly string[];
  logFormat: 'pretty' | 'json';
  /** PORT and DANGJIAN_DATA_DIR as set for this start (absent: defaults). */
  env: Record<string, string | undefined>;
}

export const banner = ({
  runtime,
  startedInMs,
  services,
  throttle,
  corsOrigins,
  logFormat,
  env,
}: BannerInput): string => {
  const set = Object.entries(env).filter(([, value]) => value !== undefined && value !== '');
  const exported = set.length
    ? `  export ${set.map(([name, value]) => `${name}=${value}`).join(' ')}    (as for this start)\n`
    : '';
  const { url, identity, build } = runtime;
  const runs =
    build === 'sources'
      ? 'the TypeScript sources, in this process (npm start -- --bundles runs the bundles CDK deploys)'
      : `the bundles CDK deploys, one worker per function (${Object.keys(build.bundles).length} bundles, built in ${(build.tookMs / 1000).toFixed(1)} s in ${build.dir}; npm start -- --sources to run the sources)`;
  const logs =
    logFormat === 'json'
      ? 'JSON, as Lambda would ship them'
      : 'one line per request, errors in full (JSON: LOG_FORMAT=json or npm start -- --json)';
  return `dangjian is running (${(startedInMs / 1000).toFixed(1)} s)

  API        ${url}
  API docs   ${url}/docs
  health     ${url}/health
  services   ${services.join(', ') || '(none yet)'}
  code       ${runs}
  data       ${runtime.dataDir}   (stop, then delete this folder to reset)
  throttle   ${throttle}
  CORS       ${corsOrigins.join(', ') || '(no origin)'}   (the dev stage's; CORS_ORIGINS=<origin>,… adds)
  logs       ${logs}
  local AWS  DynamoDB ${runtime.dynamodbEndpoint}  S3 ${runtime.s3Endpoint}  Cognito ${identity.endpoint} (pool ${identity.userPoolId}, client ${identity.clientId})
  work chat  ${runtime.workChatEndpoint}/posts   (what notices posted to 企业微信/钉钉 groups; nothing leaves this machine)
  mail       ${runtime.mailCatcherUrl}   (every e-mail sent: SES here relays to this catcher, in memory)

Next, in another terminal:
${exported}  npm run seed                                   demo branches, people and activities
  TOKEN=$(npm run -s token -- --person <id>)     sign in as a person (ids: the seed's summary)
  TOKEN=$(npm run -s token -- --role committee)  or as the committee
  curl -H "authorization: Bearer $TOKEN" ${url}/talent/people
  npm run dead-letters                           events no consumer could handle

Stop: Ctrl-C here (or kill ${process.pid}); everything it started stops with it.`;
};
