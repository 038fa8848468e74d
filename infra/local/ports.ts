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

/** Why `port` cannot be listened on here (`taken`: something else listens), or undefined if it can. */
export const portRefusal = (port: number, host = '127.0.0.1'): Promise<'taken' | 'forbidden' | undefined> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve('taken');
      else if (error.code === 'EACCES') resolve('forbidden');
      else reject(error);
    });
    server.listen(port, host, () => server.close(() => resolve(undefined)));
  });

export interface FixedPort {
  port: number;
  /** The environment variable that moves it. */
  variable: string;
  /** What listens there. */
  role: string;
}

/**
 * The first of the fixed ports that is taken, as one line saying how to move it; checked
 * before anything starts, so a clash costs a second, not a JVM's start-up.
 */
export const takenPortMessage = async (
  ports: FixedPort[],
  host = '127.0.0.1',
): Promise<string | undefined> => {
  const seen = new Map<number, FixedPort>();
  for (const fixed of ports) {
    const twin = seen.get(fixed.port);
    if (twin)
      return `${twin.variable} and ${fixed.variable} are both ${fixed.port}: give them different ports`;
    seen.set(fixed.port, fixed);
    const refusal = await portRefusal(fixed.port, host);
    if (refusal === 'taken') {
      return `port ${fixed.port} (${fixed.role}) is already in use: stop what listens there, or choose another with ${fixed.variable}=<port>`;
    }
    if (refusal === 'forbidden') {
      return `port ${fixed.port} (${fixed.role}) needs privileges this user lacks: choose another with ${fixed.variable}=<port>`;
    }
  }
  return undefined;
};
