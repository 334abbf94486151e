import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponseObject } from 'zod-openapi';
import { ErrorBodySchema, type ErrorStatus, HTTP_METHODS, type RouteSpec } from '../lambdas/shared/routes';
import { ROUTE_MANIFESTS } from './routes';

const ERROR_MEANING: Record<ErrorStatus, string> = {
  400: 'Invalid input: the field is named in details',
  401: 'Not signed in, or the key is unknown',
  402: 'Not enough credit',
  403: 'Not allowed',
  404: "No such resource (or not the caller's)",
  409: 'Conflicts with the current state',
  410: 'Used or expired',
  413: 'Body too large',
  415: 'Body is not JSON',
  429: 'Too many requests: see Retry-After',
  503: 'A dependency is not configured, unreachable or too busy (throttled): retry, after Retry-After when given',
};

const SECURITY: Record<RouteSpec['auth'], Record<string, string[]>[] | undefined> = {
  public: [],
  session: [{ sessionCookie: [] }, { sessionBearer: [] }],
  apiKey: [{ apiKeyBearer: [] }, { apiKeyHeader: [] }],
  stripeSignature: [{ stripeSignature: [] }],
};

/** `{proxy+}` (API Gateway's greedy parameter) is `{proxy}` in OpenAPI. */
export const openApiPath = (path: string) => path.replace(/\{(\w+)\+\}/g, '{$1}');

function operation(context: string, name: string, spec: RouteSpec): ZodOpenApiOperationObject {
  const responses: Record<`${number}`, ZodOpenApiResponseObject> = {};
  for (const [status, response] of Object.entries(spec.responses)) {
    responses[status as `${number}`] = {
      description: response!.description,
      ...(response!.schema
        ? {
            content: {
              [response!.contentType ?? 'application/json']: { schema: response!.schema },
              ...(response!.json ? { 'application/json': { schema: response!.json } } : {}),
            },
          }
        : {}),
    };
  }
  // Any route may meet a throttled table (503 service_busy) or a fault of ours (500).
  for (const status of [...new Set([...spec.errors, 500, 503])].sort()) {
    responses[`${status}`] = {
      description: status === 500 ? 'Our fault; logged, never with internals' : ERROR_MEANING[status as ErrorStatus],
      content: { 'application/json': { schema: ErrorBodySchema } },
    };
  }
  return {
    operationId: `${context}.${name}`,
    tags: [context],
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    security: SECURITY[spec.auth],
    ...(spec.query || spec.params
      ? { requestParams: { ...(spec.query ? { query: spec.query as never } : {}), ...(spec.params ? { path: spec.params as never } : {}) } }
      : {}),
    ...(spec.body ? { requestBody: { required: !spec.bodyOptional, content: { 'application/json': { schema: spec.body } } } } : {}),
    ...(spec.rawBody
      ? { requestBody: { content: { [spec.rawBody.contentType]: { schema: { description: spec.rawBody.description } } } } }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of every route in every manifest, generated from their zod schemas. */
export function buildOpenApiDocument(): object {
  const paths: ZodOpenApiPathsObject = {};
  for (const [context, manifest] of Object.entries(ROUTE_MANIFESTS)) {
    for (const [name, spec] of Object.entries(manifest)) {
      const item = (paths[openApiPath(spec.path)] ??= {});
      const methods = spec.method === 'ANY' ? HTTP_METHODS : [spec.method];
      for (const method of methods) {
        (item as Record<string, ZodOpenApiOperationObject>)[method.toLowerCase()] = operation(
          context,
          spec.method === 'ANY' ? `${name}.${method.toLowerCase()}` : name,
          spec,
        );
      }
    }
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'OmnAPI',
      version: '1.0.0',
      description:
        'Metered API access: accounts and keys, metered calls, usage, credits and billing, privacy rights. Errors are always `{ "error": { "code", "message" } }`.',
    },
    servers: [
      { url: 'https://api.omnapi.com', description: 'Production (publicUrl)' },
      { url: 'http://localhost:3000', description: 'npm start' },
    ],
    components: {
      securitySchemes: {
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'omn_session' },
        sessionBearer: { type: 'http', scheme: 'bearer', description: 'omn_sess_… from POST /v1/auth/login' },
        apiKeyBearer: { type: 'http', scheme: 'bearer', description: 'omn_live_… from POST /v1/keys' },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'x-api-key' },
        stripeSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'Stripe-Signature',
          description: 'Stripe signs the raw body with the webhook secret',
        },
      },
    },
    paths,
  });
}

/** The document as checked in at docs/openapi.json. */
export const renderOpenApi = () => `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
