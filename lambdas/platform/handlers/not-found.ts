import document from '../../../docs/openapi.json';
import { errorBody } from '../../shared/errors';
import { json } from '../../shared/http';
import { httpHandler, noRoute } from '../../shared/middleware/http-stack';
import { HTTP_METHODS } from '../../shared/routes';

/** Each path of the API (the OpenAPI document, which a test keeps equal to the route manifests) as a pattern, with its methods. */
const PATHS = Object.entries(document.paths as Record<string, object>).map(([template, item]) => ({
  pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
  methods: HTTP_METHODS.filter((method) => method.toLowerCase() in item),
}));

/** The methods a path of the API takes: none when no route has that path. */
export function methodsOf(path: string): string[] {
  return HTTP_METHODS.filter((method) => PATHS.some((p) => p.methods.includes(method) && p.pattern.test(path)));
}

/**
 * The `$default` route: whatever matched no route gets the JSON error shape, never API Gateway's bare
 * one — 405 with `Allow` when the path is the API's but the method is not one it takes (`PUT /v1/keys`),
 * else 404.
 */
export const handler = httpHandler(async (event) => {
  const { method } = event.requestContext.http;
  const allowed = methodsOf(event.rawPath);
  if (allowed.length === 0 || allowed.includes(method)) return noRoute({ method, path: event.rawPath });
  return json(
    405,
    errorBody('method_not_allowed', `${method.slice(0, 20)} is not a method ${event.rawPath} takes; use ${allowed.join(', ')}`),
    { allow: allowed.join(', ') },
  );
});
