/**
 * The Lambda entry points of a service, all derived from its description. Each service's
 * `lambda.ts` re-exports these; the CDK construct points its functions at them:
 *   http      the router function behind every route of the HTTP API
 *   relay     the outbox relay on the table's stream
 *   consume   one function per subscription (SUBSCRIPTION names it) behind its rule
 *   schedule  one function per schedule, invoked by EventBridge Scheduler with the payload
 *             naming the schedule and its scheduled time (shared/schedules.ts)
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { createEventBridgeClient } from './aws/clients.js';
import { createServiceContext, envFromProcess, type ServiceContext } from './context.js';
import { createSubscriptionHandler } from './events/consumer.js';
import type { BusEvent } from './events/contract.js';
import { createRelayHandler } from './events/relay.js';
import { createHttpHandler, type HttpHandler } from './http/handler.js';
import { createScheduleHandler } from './schedules.js';
import type { ServiceDescription } from './service.js';

export interface LambdaHandlers {
  http: HttpHandler;
  relay: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;
  consume: (event: BusEvent) => Promise<void>;
  schedule: (payload: unknown) => Promise<void>;
}

export const lambdaHandlers = (description: ServiceDescription): LambdaHandlers => {
  // Built on first invocation, so importing an entry (CDK synth, tests) needs no environment.
  let context: ServiceContext | undefined;
  const ctx = () => {
    context ??= createServiceContext(envFromProcess(description.name));
    return context;
  };
  let http: HttpHandler | undefined;
  let relay: LambdaHandlers['relay'] | undefined;
  let consume: LambdaHandlers['consume'] | undefined;
  let schedule: LambdaHandlers['schedule'] | undefined;
  return {
    http: (event, lambdaContext) => {
      http ??= createHttpHandler(description, ctx());
      return http(event, lambdaContext);
    },
    relay: (event) => {
      relay ??= createRelayHandler({
        eventBridge: createEventBridgeClient(ctx().env.aws),
        busName: ctx().env.busName,
        log: ctx().log,
      });
      return relay(event);
    },
    consume: (event) => {
      const name = process.env.SUBSCRIPTION;
      if (!name) throw new Error('SUBSCRIPTION is not set for this function');
      consume ??= createSubscriptionHandler(description, name, ctx());
      return consume(event);
    },
    schedule: (payload) => {
      schedule ??= createScheduleHandler(description, ctx());
      return schedule(payload);
    },
  };
};
