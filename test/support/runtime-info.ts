import type { Runtime } from '../../infra/local/runtime.js';

/** What test files get of the runtime the global setup started: its plain, serialisable part. */
export type RuntimeInfo = Pick<
  Runtime,
  | 'url'
  | 'dataDir'
  | 'dynamodbEndpoint'
  | 's3Endpoint'
  | 'busEndpoint'
  | 'tableNames'
  | 'bucketNames'
  | 'identity'
  | 'mailCatcherUrl'
>;

declare module 'vitest' {
  export interface ProvidedContext {
    runtime: RuntimeInfo;
  }
}
