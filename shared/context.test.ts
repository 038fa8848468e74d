import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createServiceContext, envFromProcess } from './context.js';

const lambdaEnv = { STAGE: 'prod', TABLE_NAME: 't', EVENT_BUS_NAME: 'b', AWS_REGION: 'cn-north-1' };

describe('the Lambda environment', () => {
  it('reads what the CDK construct sets, with the default upload limit', () => {
    expect(envFromProcess('talent', lambdaEnv)).toMatchObject({
      service: 'talent',
      stage: 'prod',
      tableName: 't',
      busName: 'b',
      uploadLimitBytes: 200 * 1024 * 1024,
      aws: { region: 'cn-north-1' },
    });
  });

  it.each(['', 'abc', '-1', '1.5'])('refuses an upload limit of %j', (value) => {
    expect(() => envFromProcess('resources', { ...lambdaEnv, UPLOAD_LIMIT_BYTES: value })).toThrow(
      /positive integer/,
    );
  });

  it('refuses a missing table name', () => {
    expect(() => envFromProcess('talent', { ...lambdaEnv, TABLE_NAME: undefined })).toThrow(/TABLE_NAME/);
  });
});

describe('the cursor key on Lambda', () => {
  it('is named by CURSOR_KEY_SECRET_ARN, and absent without it', () => {
    const arn = 'arn:aws-cn:secretsmanager:cn-north-1:1:secret:k-AbCdEf';
    expect(envFromProcess('talent', { ...lambdaEnv, CURSOR_KEY_SECRET_ARN: arn }).cursorKey).toEqual({
      secretArn: arn,
    });
    expect(envFromProcess('talent', lambdaEnv).cursorKey).toBeUndefined();
  });

  it('is read from Secrets Manager at the first cursor, once for the container', async () => {
    const asked: unknown[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        asked.push({ target: req.headers['x-amz-target'], body: JSON.parse(body) });
        res.setHeader('content-type', 'application/x-amz-json-1.1');
        res.end(JSON.stringify({ SecretString: 's'.repeat(64) }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const arn = 'arn:aws:secretsmanager:eu-west-1:1:secret:k-AbCdEf';
      const env = envFromProcess('talent', {
        ...lambdaEnv,
        AWS_REGION: 'eu-west-1',
        CURSOR_KEY_SECRET_ARN: arn,
      });
      const ctx = createServiceContext({
        ...env,
        aws: {
          ...env.aws,
          endpoints: { secretsmanager: `http://127.0.0.1:${port}` },
          credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        },
      });
      expect(asked).toEqual([]);
      const cursor = await ctx.cursors.seal('people', { pk: 'PERSON#1' });
      expect(await ctx.cursors.open('people', cursor)).toEqual({ pk: 'PERSON#1' });
      await ctx.cursors.seal('branches', { pk: 'BRANCH#1' });
      expect(asked).toEqual([{ target: 'secretsmanager.GetSecretValue', body: { SecretId: arn } }]);
    } finally {
      server.close();
    }
  });
});
