import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HttpEvent, HttpResponse } from '../../shared/http';
import { httpHandler } from '../../shared/middleware/http-stack';
import type { GatewayRequest } from '../domain/gateway';
import { gatewayGuard, gatewayWiring } from '../gateway-wiring';

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
  const response = await gatewayWiring().gateway.handle(toGatewayRequest(event));
  const textual = /^(application\/(json|xml|[\w.+-]+\+(json|xml))|text\/)/i.test(response.headers['content-type'] ?? '');
  return {
    statusCode: response.status,
    headers: response.headers,
    body: textual ? response.body.toString('utf8') : response.body.toString('base64'),
    isBase64Encoded: !textual,
  };
};

// The platform's one HTTP stack, untraced and zod-free so the hot path's bundle and cold start stay small.
export const handler = httpHandler(meteredCall, { guard: gatewayGuard() });
