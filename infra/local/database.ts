/**
 * The runtime's database: DynamoDB Local on one port for the runtime's whole life, so the
 * clients made at start-up stay valid when the process behind the port is replaced.
 */
import { type DynamoDbLocal, type DynamoDbLocalOptions, startDynamoDbLocal } from './dynamodb-local.js';

export interface Database {
  readonly endpoint: string;
  /** The JVM serving now (it changes with a restart). */
  readonly pid: number | undefined;
  /** The process vanishes (SIGKILL), as if the host lost it. */
  kill(): Promise<void>;
  /** A new process on the same port and data (only on-disk data survives a kill). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export const startDatabase = async (options: DynamoDbLocalOptions): Promise<Database> => {
  let current: DynamoDbLocal = await startDynamoDbLocal(options);
  return {
    endpoint: current.endpoint,
    get pid() {
      return current.pid;
    },
    kill: async () => {
      current.kill();
      await current.exited;
    },
    restart: async () => {
      await current.stop();
      current = await startDynamoDbLocal({ ...options, port: current.port });
    },
    stop: () => current.stop(),
  };
};
