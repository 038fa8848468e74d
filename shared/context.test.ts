import { describe, expect, it } from 'vitest';
import { envFromProcess } from './context.js';

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
