import { createServer } from 'node:net';

/**
 * A TCP port that was free a moment ago on `host`, for servers (DynamoDB Local) that cannot
 * be told to pick one themselves and report it back. Another process may still take it
 * before the caller binds it; callers that can listen on port 0 should do that instead.
 */
export const freePort = (host = '127.0.0.1'): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error(`could not determine a free port on ${host}`));
        return;
      }
      server.close((err) => (err ? reject(err) : resolve(address.port)));
    });
  });
