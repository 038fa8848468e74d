/**
 * Every route of every service description, the HTTP API's `$default` stage that throttles
 * them, and the API's own observability. A route and its throttle live in this one stack on
 * purpose: a route's throttle is a setting of the stage, API Gateway refuses a setting for a
 * route it cannot find, and CloudFormation updates one stack's resources in dependency order
 * (the stage, which depends on every route, after a route is created and before one is
 * deleted). So adding, removing or renaming a route, public or not, is one update of this
 * stack; with the routes in the service stacks, the service stack would delete a public route
 * while the stage still named it.
 *
 * A route reaches its service's router by the router's name (infra/names.ts), not by an
 * export: this stack imports only the API, the authorizer and the alarm topic from the
 * platform stack. It is deployed after every service stack so the routers exist.
 */

import { ArnFormat, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  ApiMapping,
  CfnRoute,
  type CfnStage,
  HttpIntegration,
  HttpIntegrationType,
  HttpStage,
  type IDomainName,
  type IHttpApi,
  LogGroupLogDestination,
  PayloadFormatVersion,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { Dashboard, GraphWidget, Metric, TextWidget } from 'aws-cdk-lib/aws-cloudwatch';
import { FilterPattern, LogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { ServiceDescription } from '../../shared/service.js';
import type { StageConfig } from '../config.js';
import { alarmsTo } from '../constructs/alarms.js';
import { pascal, throttleClass } from '../constructs/service-stack.js';
import { acknowledge } from '../nag.js';
import { dashboardNameOf, routerNameOf } from '../names.js';

export interface ApiStackProps extends StackProps {
  config: StageConfig;
  httpApi: IHttpApi;
  /** The JWT authorizer every non-public route uses. */
  authorizerId: string;
  alarmTopic: ITopic;
  /** The API's own domain (platform stack), mapped to the stage here. */
  apiDomain?: IDomainName;
  /** The descriptions whose routes this stack builds; their stacks are not referenced. */
  services: readonly ServiceDescription[];
  /** Names of the stage's other dashboards, listed on this one. */
  otherDashboards: readonly string[];
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
  /** Each service's routes, by service name. */
  readonly routes = new Map<string, CfnRoute[]>();

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

    if (props.apiDomain) {
      new ApiMapping(this, 'ApiDomainMapping', {
        api: httpApi,
        domainName: props.apiDomain,
        stage: this.stage,
      });
    }

    // The public throttle class (application forms and the like) gets the stage's lowest limits.
    const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    for (const description of props.services) {
      const routes = this.buildRoutes(description, props);
      this.routes.set(description.name, routes);
      // The stage names routes by key: it is created after them and updated before any goes.
      for (const route of routes) this.stage.node.addDependency(route);
      for (const route of description.routes) {
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

    // The API's own graphs; each service and the accounts stack keep their dashboard with them.
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: dashboardNameOf(config.stage),
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# dangjian ${config.stage}\nAlso: ${props.otherDashboards.join(', ')}`,
        width: 24,
        height: 2,
      }),
      new GraphWidget({ title: 'API requests and 5xx', left: [requests], right: [api5xx], width: 12 }),
      new GraphWidget({ title: 'API throttled (429)', left: [throttled], width: 12 }),
    );
  }

  /** One integration per service, to its router by name, and one route per described route. */
  private buildRoutes(description: ServiceDescription, props: ApiStackProps): CfnRoute[] {
    const { config, httpApi } = props;
    const name = description.name;
    const scope = new Construct(this, pascal(name));
    const integration = new HttpIntegration(scope, 'RouterIntegration', {
      httpApi,
      integrationType: HttpIntegrationType.AWS_PROXY,
      integrationUri: this.formatArn({
        service: 'lambda',
        resource: 'function',
        resourceName: routerNameOf(config.stage, name),
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
      payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
    });
    // L1 routes: the L2 would create the integration under whichever route comes first, so
    // removing that route would replace the integration.
    return description.routes.map((route) => {
      const open = route.access === 'public';
      const cfnRoute = new CfnRoute(scope, `Route ${route.routeKey}`, {
        apiId: httpApi.apiId,
        routeKey: route.routeKey,
        target: `integrations/${integration.integrationId}`,
        authorizationType: open ? 'NONE' : 'JWT',
        ...(open ? {} : { authorizerId: props.authorizerId }),
      });
      if (open) {
        acknowledge(
          cfnRoute,
          'AwsSolutions-APIG4',
          `${route.routeKey} is public in the ${name} description (no caller needed, e.g. a partner application or the published joint events); it is throttled as the stage's "public" class.`,
        );
      }
      return cfnRoute;
    });
  }
}
