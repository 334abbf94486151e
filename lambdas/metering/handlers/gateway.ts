import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { documentClient, newDynamoDbClient, newSqsClient } from '../../shared/clients/factories';
import type { HttpEvent, HttpResponse } from '../../shared/http';
import { logger } from '../../shared/logger';
import { httpHandler } from '../../shared/middleware/http-stack';
import { ORIGIN_SECRET_HEADER, OriginGuard } from '../../shared/middleware/origin-guard';
import { CachedKeyResolver } from '../adapters/cached-key-resolver';
import { DynamoDbKeyLookup } from '../adapters/dynamodb-key-lookup';
import { DynamoDbMeter } from '../adapters/dynamodb-meter';
import { FetchUpstream } from '../adapters/fetch-upstream';
import { SqsUsagePublisher } from '../adapters/sqs-usage-publisher';
import { gatewayConfig, UNQUEUED_USAGE_MESSAGE } from '../config';
import { Gateway, type GatewayRequest } from '../domain/gateway';

const config = gatewayConfig();
// Bare clients: the hot path keeps the X-Ray SDK out of its bundle and cold start (hotPathTracing).
const dynamo = documentClient(newDynamoDbClient());
const sqs = newSqsClient();
const originGuard = OriginGuard.fromEnv();

const gateway = new Gateway({
  keys: new CachedKeyResolver(new DynamoDbKeyLookup(dynamo, config.keysTable), { ttlMs: config.keyCacheSeconds * 1000 }),
  meter: new DynamoDbMeter(dynamo, config.ledgerTable),
  // The demo echo is served by this API: behind an edge, the self-call proves its origin like any caller.
  upstream: new FetchUpstream(
    originGuard && { base: config.builtinEchoUrl, headers: async () => ({ [ORIGIN_SECRET_HEADER]: await originGuard.secret() }) },
  ),
  usage: new SqsUsagePublisher(sqs, config.usageQueueUrl),
  catalog: config.catalog,
  upstreamBase: (product) => {
    const upstream = config.catalog.products[product]!.upstream;
    return upstream === 'builtin:echo' ? config.builtinEchoUrl : upstream;
  },
  now: () => new Date(),
  // One ERROR line holding the whole event: a metric filter counts these and alarms; the runbook replays them.
  onUnqueuedEvent: (usageEvent, error) => logger.error(UNQUEUED_USAGE_MESSAGE, { usageEvent, error: error as Error }),
});

/** The presented key: `Authorization: Bearer omn_live_…`, or `x-api-key` (header names are lower-cased by the HTTP stack). */
export function secretOf(event: APIGatewayProxyEventV2): string | undefined {
  const bearer = event.headers?.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  return bearer ?? event.headers?.['x-api-key']?.trim();
}

export function toGatewayRequest(event: APIGatewayProxyEventV2): GatewayRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) if (value !== undefined) headers[name] = value;
  return {
    requestId: event.requestContext.requestId || randomUUID(),
    secret: secretOf(event),
    product: event.pathParameters?.product ?? '',
    path: event.pathParameters?.proxy ?? '',
    rawPath: event.rawPath,
    method: event.requestContext.http.method,
    rawQuery: event.rawQueryString ?? '',
    headers,
    body: event.body === undefined ? undefined : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8'),
    ip: event.requestContext.http.sourceIp,
    userAgent: event.requestContext.http.userAgent ?? '',
    receivedAt: new Date(event.requestContext.timeEpoch || Date.now()),
  };
}

/** `ANY /v1/api/{product}/{proxy+}`: the metered hot path. */
export const meteredCall = async (event: HttpEvent): Promise<HttpResponse> => {
  const response = await gateway.handle(toGatewayRequest(event));
  const textual = /^(application\/(json|xml|[\w.+-]+\+(json|xml))|text\/)/i.test(response.headers['content-type'] ?? '');
  return {
    statusCode: response.status,
    headers: response.headers,
    body: textual ? response.body.toString('utf8') : response.body.toString('base64'),
    isBase64Encoded: !textual,
  };
};

// The platform's one HTTP stack, untraced and zod-free so the hot path's bundle and cold start stay small.
export const handler = httpHandler(meteredCall, { guard: originGuard });
