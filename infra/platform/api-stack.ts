/**
 * The HTTP API's `$default` stage and the stage's observability. It is deployed after every
 * service stack (it depends on them): per-route throttling names routes by key, and API
 * Gateway refuses route settings for routes that do not exist yet. The dashboard shows
 * every service's functions and queues and the platform's own functions (accounts stack),
 * so it lives here too, after the accounts stack.
 */

import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  HttpStage,
  type IHttpApi,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { Dashboard, GraphWidget, Metric, TextWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, LogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config.js';
import { alarmsTo } from '../constructs/alarms.js';
import { type ServiceStack, throttleClass } from '../constructs/service-stack.js';

export interface ApiStackProps extends StackProps {
  config: StageConfig;
  httpApi: IHttpApi;
  alarmTopic: ITopic;
  services: readonly ServiceStack[];
  /** The platform's own functions (the accounts stack), shown beside the services. */
  platformFunctions: readonly { name: string; fn: IFunction; deadLetters: IQueue }[];
}

const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  latency: '$context.responseLatency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
};

/** JSON lines; `status` stays a number so the 429 metric filter can compare it. */
const accessLogFormat = (): string =>
  JSON.stringify(ACCESS_LOG_FIELDS).replace('"status":"$context.status"', '"status":$context.status');

export class ApiStack extends Stack {
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config, httpApi } = props;

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { ...config.throttle.default },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(accessLogFormat()),
      },
    });
    // The public throttle class (application forms and the like) gets the stage's lowest limits.
    const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    for (const service of props.services) {
      for (const route of service.description.routes) {
        if (throttleClass(route) !== 'public') continue;
        routeSettings[route.routeKey] = {
          ThrottlingRateLimit: config.throttle.public.rateLimit,
          ThrottlingBurstLimit: config.throttle.public.burstLimit,
        };
      }
    }
    if (Object.keys(routeSettings).length > 0) {
      (this.stage.node.defaultChild as CfnStage).routeSettings = routeSettings;
    }

    const alarm = alarmsTo(this, props.alarmTopic);
    const api5xx = new Metric({
      namespace: 'AWS/ApiGateway',
      metricName: '5xx',
      dimensionsMap: { ApiId: httpApi.apiId, Stage: '$default' },
      statistic: 'Sum',
      period: Duration.minutes(5),
    });
    const requests = new Metric({
      namespace: 'AWS/ApiGateway',
      metricName: 'Count',
      dimensionsMap: { ApiId: httpApi.apiId, Stage: '$default' },
      statistic: 'Sum',
      period: Duration.minutes(5),
    });
    // HTTP APIs publish no 429 metric; the access log has the status of every request.
    const throttledFilter = new MetricFilter(this, 'ThrottledRequests', {
      logGroup: this.accessLogs,
      filterPattern: FilterPattern.numberValue('$.status', '=', 429),
      metricNamespace: `dangjian/${config.stage}`,
      metricName: 'ThrottledRequests',
      metricValue: '1',
      defaultValue: 0,
    });
    const throttled = throttledFilter.metric({ statistic: 'Sum', period: Duration.minutes(5) });
    alarm('Api5xx', api5xx, 1, 'The HTTP API answered 5xx: a service failed');
    alarm('ApiThrottled', throttled, 10, 'The HTTP API refused requests with 429 (throttling)');

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `dangjian-${config.stage}`,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new TextWidget({ markdown: `# dangjian ${config.stage}`, width: 24, height: 1 }),
      new GraphWidget({ title: 'API requests and 5xx', left: [requests], right: [api5xx], width: 12 }),
      new GraphWidget({ title: 'API throttled (429)', left: [throttled], width: 12 }),
    );
    this.dashboard.addWidgets(
      ...props.platformFunctions.map(
        (platformFn) =>
          new GraphWidget({
            title: `platform ${platformFn.name}: errors and dead letters`,
            left: [platformFn.fn.metricErrors({ period: Duration.minutes(5) })],
            right: [
              platformFn.deadLetters.metricApproximateNumberOfMessagesVisible({
                period: Duration.minutes(5),
                statistic: 'Maximum',
              }),
            ],
            width: 12,
          }),
      ),
    );
    for (const service of props.services) {
      const name = service.description.name;
      const functions = [service.router, service.relay, ...Object.values(service.consumers)];
      this.dashboard.addWidgets(
        new GraphWidget({
          title: `${name}: function errors`,
          left: functions.map((f) => f.metricErrors({ period: Duration.minutes(5) })),
          width: 8,
        }),
        new GraphWidget({
          title: `${name}: dead letters`,
          left: service.deadLetterQueues.map((q) =>
            q.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
          ),
          width: 8,
        }),
        new GraphWidget({
          title: `${name}: relay iterator age (ms)`,
          left: [service.relay.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(5) })],
          width: 8,
        }),
      );
    }
  }
}
