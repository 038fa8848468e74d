import { describe, expect, it } from 'vitest';
import { envFromProcess } from '../context.js';
import { AWS_TIMEOUTS, common, LOCAL_TIMEOUTS } from './clients.js';

const lambdaEnv = { STAGE: 'prod', TABLE_NAME: 't', EVENT_BUS_NAME: 'b', AWS_REGION: 'cn-north-1' };

/** What the client's handler was really given (resolved as it is before its first request). */
const handlerTimeouts = async (options: ReturnType<typeof common>) => {
  const config = await (
    options.requestHandler as unknown as { configProvider: Promise<Record<string, unknown>> }
  ).configProvider;
  return { connectionMs: config.connectionTimeout, requestMs: config.requestTimeout };
};

describe("the SDK clients' timeouts", () => {
  it('are short on AWS: a dead database is a quick 503, not a request hanging until the 30 s of API Gateway', async () => {
    const { aws } = envFromProcess('talent', lambdaEnv);
    expect(aws.endpoints).toBeUndefined();
    expect(AWS_TIMEOUTS).toEqual({ connectionMs: 1_000, requestMs: 5_000 });
    expect(await handlerTimeouts(common(aws, aws.endpoints?.dynamodb))).toEqual(AWS_TIMEOUTS);
  });

  it('are longer at a local endpoint, a server on this machine that a loaded machine answers late', async () => {
    const local = { region: 'eu-west-1', endpoints: { dynamodb: 'http://127.0.0.1:8000' } };
    expect(LOCAL_TIMEOUTS.connectionMs).toBeGreaterThan(AWS_TIMEOUTS.connectionMs);
    expect(LOCAL_TIMEOUTS.requestMs).toBeGreaterThan(AWS_TIMEOUTS.requestMs);
    expect(await handlerTimeouts(common(local, local.endpoints.dynamodb))).toEqual(LOCAL_TIMEOUTS);
  });
});
