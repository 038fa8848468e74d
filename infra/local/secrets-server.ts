/**
 * Secrets Manager's `GetSecretValue`, locally, for the functions run from their bundles: on
 * AWS a router that pages lists reads the stage's cursor secret by its ARN
 * (CURSOR_KEY_SECRET_ARN), and so it does here, from the runtime's cursor-key file. One
 * secret, read only; any other call or secret gets Secrets Manager's error.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SecretsServer {
  endpoint: string;
  /** The ARN the functions are given. */
  cursorKeyArn: string;
  close(): Promise<void>;
}

const send = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
  res.end(JSON.stringify(body));
};

export const startSecretsServer = async (options: {
  region: string;
  stage: string;
  cursorKeyFile: string;
}): Promise<SecretsServer> => {
  const name = `${options.stage}-dangjian-cursor-key`;
  const arn = `arn:aws:secretsmanager:${options.region}:000000000000:secret:${name}-local`;
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    if (req.method !== 'POST' || target !== 'secretsmanager.GetSecretValue') {
      return send(res, 400, {
        __type: 'InvalidRequestException',
        message: `${target || req.method} is not served here`,
      });
    }
    let secretId: unknown;
    try {
      secretId = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { SecretId?: unknown }).SecretId;
    } catch {
      return send(res, 400, { __type: 'InvalidRequestException', message: 'The body is not JSON' });
    }
    if (secretId !== arn && secretId !== name) {
      return send(res, 400, {
        __type: 'ResourceNotFoundException',
        message: "Secrets Manager can't find the specified secret.",
      });
    }
    const value = (await readFile(options.cursorKeyFile, 'utf8')).trim();
    send(res, 200, {
      ARN: arn,
      Name: name,
      SecretString: value,
      VersionId: 'local',
      VersionStages: ['AWSCURRENT'],
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    cursorKeyArn: arn,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
