/**
 * The conventions every function of the platform follows, in one place: Node 22 on arm64,
 * bundled by the local esbuild (never Docker), its own role and log group (no managed
 * policies), and, for asynchronously invoked consumers, one encrypted dead-letter queue
 * for both delivery and handler failures.
 */
import { Duration } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type IFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config.js';
import { acknowledge } from '../nag.js';
import { bundlingOptions } from './bundling.js';

export { bundlingOptions };

/** Lambda keeps an asynchronous event at most six hours. */
const LAMBDA_MAX_EVENT_AGE_S = 6 * 60 * 60;

export interface OwnFunctionProps {
  config: StageConfig;
  /** Absolute path of the entry module, and the export that is the handler. */
  entry: string;
  handler: string;
  /** Where `package-lock.json` lives: esbuild bundles from here. */
  projectRoot: string;
  environment: Record<string, string>;
  /** Says whose role this is, in IAM. */
  roleDescription: string;
  description?: string;
  /** A fixed name, for a function another stack reaches by name (a service's router). */
  functionName?: string;
}

export const ownFunction = (scope: Construct, id: string, props: OwnFunctionProps): NodejsFunction => {
  const { config } = props;
  const logGroup = new LogGroup(scope, `${id}Logs`, {
    retention: config.logRetention,
    removalPolicy: config.removalPolicy,
  });
  // Our own role: logs to its own group only, no AWS managed policy; grants come from the caller.
  const role = new Role(scope, `${id}Role`, {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: props.roleDescription,
  });
  logGroup.grantWrite(role);
  const fn = new NodejsFunction(scope, id, {
    entry: props.entry,
    handler: props.handler,
    projectRoot: props.projectRoot,
    depsLockFilePath: `${props.projectRoot}/package-lock.json`,
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    memorySize: config.lambda.memorySize,
    timeout: config.lambda.timeout,
    logGroup,
    role,
    tracing: Tracing.DISABLED,
    ...(props.description ? { description: props.description } : {}),
    ...(props.functionName ? { functionName: props.functionName } : {}),
    environment: props.environment,
    bundling: bundlingOptions,
  });
  fn.node.addDependency(logGroup);
  acknowledge(
    fn,
    'AwsSolutions-L1',
    'Pinned to Node.js 22 on purpose: the project builds and tests with Node 22 (package.json), so Lambda runs the version the code was tested on; moving to 24 is a deliberate upgrade.',
  );
  return fn;
};

export const deadLetterQueue = (scope: Construct, id: string): Queue => {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  acknowledge(
    queue,
    'AwsSolutions-SQS3',
    'This queue is itself a dead-letter queue; its messages are inspected and redriven by hand.',
  );
  return queue;
};

/**
 * EventBridge hands events to a consumer asynchronously: delivery failures go to the
 * rule target's DLQ, handler failures (after Lambda's own two retries) to the same queue.
 */
export const failuresTo = (fn: IFunction, queue: Queue, config: StageConfig): void => {
  fn.configureAsyncInvoke({
    retryAttempts: 2,
    // EventBridge's own retries may run longer than Lambda keeps an event.
    maxEventAge: Duration.seconds(Math.min(config.events.maxEventAge.toSeconds(), LAMBDA_MAX_EVENT_AGE_S)),
    onFailure: new SqsDestination(queue),
  });
};
