export interface RuntimeInfo {
  url: string;
  dataDir: string;
  dynamodbEndpoint: string;
  s3Endpoint: string;
  busEndpoint: string;
  tableNames: Record<string, string>;
  bucketNames: Record<string, string>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    runtime: RuntimeInfo;
  }
}
