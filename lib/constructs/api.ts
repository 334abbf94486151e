import { CfnOutput, Duration, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { platformRoutes } from '../../lambdas/platform/routes';
import type { RouteSpec } from '../../lambdas/shared/routes';
import { type FunctionDefaults, OmnApiFunction } from './omnapi-function';
import { routeFunctions } from './shared/route-functions';

export interface ApiProps {
  readonly defaults: FunctionDefaults;
  readonly stage: string;
  readonly throttlingRateLimit: number;
  readonly throttlingBurstLimit: number;
  /** Browser origins allowed to call the API; API Gateway answers their preflights. @default none */
  readonly corsOrigins?: string[];
  /**
   * Secrets Manager name of the edge's origin secret: every function behind the API reads it and
   * refuses requests without it (403). @default none: direct calls are answered
   */
  readonly originSecretName?: string;
  /** The origin secret itself, for the local runtime only (it has no Secrets Manager). */
  readonly localOriginSecret?: string;
}

/**
 * The access-log line, one per request, paid per byte on every call: what an operator needs to find
 * a request and follow it into the function's log (same request id), and nothing else. Metadata
 * only: no Authorization, cookies or bodies. The route key names the route and function (the path
 * with its ids is in the usage log, for metered calls); `err` is the integration's error (a function
 * that failed, timed out or was throttled), `-` when there is none. Method, path, response length and
 * user agent are in usage logs and security events, integration latency in the function's metrics.
 */
export const ACCESS_LOG_FIELDS = {
  id: '$context.requestId',
  t: '$context.requestTimeEpoch',
  route: '$context.routeKey',
  status: '$context.status',
  ms: '$context.responseLatency',
  ip: '$context.identity.sourceIp',
  err: '$context.integrationErrorMessage',
} as const;

/**
 * The HTTP API (API Gateway v2): one stage, default throttling, JSON access logs, Lambda routes,
 * `GET /health`, and a `$default` route that answers unknown routes with the JSON error shape.
 */
export class Api extends Construct {
  public readonly httpApi: apigwv2.HttpApi;
  /** The stage URL, ending in `/`. */
  public readonly url: string;
  /** The API's own endpoint, `https://<id>.execute-api.<region>.amazonaws.com`. */
  public readonly endpoint: string;
  /** The edge's origin secret, when this API is only reachable through an edge. */
  public readonly originSecret?: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    if (props.originSecretName && props.localOriginSecret) throw new Error('Api: give originSecretName or localOriginSecret, not both');
    if (props.originSecretName) this.originSecret = secretsmanager.Secret.fromSecretNameV2(this, 'OriginSecret', props.originSecretName);
    this.localOriginSecret = props.localOriginSecret;
    const notFound = new OmnApiFunction(this, 'NotFound', {
      ...props.defaults,
      entry: 'lambdas/platform/handlers/not-found.ts',
      description: 'Answers requests that match no route with a JSON 404 (405 for a known path asked with another method)',
      serviceName: 'platform',
      memorySize: 256,
    });
    this.behindEdge(notFound);
    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      description: 'OmnAPI public API',
      createDefaultStage: false,
      defaultIntegration: new HttpLambdaIntegration('NotFoundIntegration', notFound),
      corsPreflight: props.corsOrigins?.length
        ? {
            allowOrigins: props.corsOrigins,
            allowMethods: [apigwv2.CorsHttpMethod.ANY],
            allowHeaders: ['authorization', 'content-type', 'x-api-key', 'stripe-signature'],
            exposeHeaders: [
              'x-request-id',
              'x-ratelimit-limit',
              'x-ratelimit-remaining',
              'x-ratelimit-reset',
              'x-credits-remaining',
              'retry-after',
            ],
            allowCredentials: true,
            maxAge: Duration.hours(1),
          }
        : undefined,
    });

    // Infrequent Access: half the ingestion price of Standard. Nothing reads this group but people:
    // the 5xx alarm and the dashboard read API Gateway's own metrics, the one metric filter and
    // `ops replay-unqueued` read the gateway function's log group. Logs Insights works on it (all but
    // pattern, diff, filterIndex and unmask); Live Tail, metric filters and subscription filters do
    // not, and the class cannot change once the group exists (docs/performance.md).
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.defaults.logRetention ?? logs.RetentionDays.ONE_MONTH,
      encryptionKey: props.defaults.key,
      logGroupClass: logs.LogGroupClass.INFREQUENT_ACCESS,
    });
    const stage = new apigwv2.HttpStage(this, 'Stage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttlingRateLimit, burstLimit: props.throttlingBurstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: apigw.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    this.url = stage.url;
    this.endpoint = this.httpApi.apiEndpoint;
    new CfnOutput(this, 'Url', { value: this.url, description: 'OmnAPI base URL' });

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Authentication is in the handlers: sessions and API keys are looked up by hash in DynamoDB; ' +
        'a separate authorizer would add a Lambda hop to the metered hot path. Public routes are health, signup, login and webhooks.',
    });

    routeFunctions(this, {
      defaults: props.defaults,
      api: this,
      context: 'platform',
      manifest: platformRoutes,
      handlers: {
        health: { description: 'Liveness probe', memorySize: 256, environment: { STAGE: props.stage } },
        openapi: { description: 'Serves the OpenAPI document', memorySize: 256 },
      },
    });
  }

  /** Adds a manifest route, served by `fn`; each function gets one integration, shared by all its routes. */
  addRoute(route: Pick<RouteSpec, 'method' | 'path'>, fn: OmnApiFunction): void {
    const method = route.method as apigwv2.HttpMethod;
    const path = route.path;
    let integration = this.integrations.get(fn);
    if (!integration) {
      integration = new HttpLambdaIntegration(`${fn.node.id}Integration`, fn);
      this.integrations.set(fn, integration);
      this.behindEdge(fn);
    }
    new apigwv2.HttpRoute(this, `${method}${path.replace(/[^A-Za-z0-9]+/g, '_')}`, {
      httpApi: this.httpApi,
      routeKey: apigwv2.HttpRouteKey.with(path, method),
      integration,
    });
  }

  /** Gives a function the origin secret, so its handler refuses what did not come through the edge (`behindEdge`). */
  private behindEdge(fn: OmnApiFunction): void {
    if (this.originSecret) fn.bindSecret('origin', this.originSecret);
    else if (this.localOriginSecret) fn.addEnvironment('ORIGIN_SECRET', this.localOriginSecret);
  }

  private readonly localOriginSecret?: string;
  private readonly integrations = new Map<OmnApiFunction, HttpLambdaIntegration>();
}
