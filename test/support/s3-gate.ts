/**
 * A pass-through in front of the local S3 server, so a test can hold one request of one
 * client at a chosen moment (two deliveries of one event interleaved exactly as a busy
 * machine might interleave them). Every byte goes to the real server and back unchanged:
 * the host header and signature are those the client made for this endpoint.
 */
import { createServer, type IncomingMessage, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface S3Gate {
  endpoint: string;
  close(): Promise<void>;
}

/** `before` runs for each request and may hold it; `after` runs once its answer is complete. */
export const s3Gate = async (
  target: string,
  hooks: {
    before?: (req: IncomingMessage) => Promise<void> | void;
    after?: (req: IncomingMessage, status: number) => Promise<void> | void;
  },
): Promise<S3Gate> => {
  const to = new URL(target);
  const server = createServer(async (req, res) => {
    await hooks.before?.(req);
    const upstream = request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      async (answer) => {
        const chunks: Buffer[] = [];
        for await (const chunk of answer) chunks.push(chunk as Buffer);
        await hooks.after?.(req, answer.statusCode ?? 0);
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        res.end(Buffer.concat(chunks));
      },
    );
    upstream.on('error', (err) => res.destroy(err));
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
};
