import { httpHandler, noRoute } from '../../shared/middleware/http-stack';

/** The `$default` route: whatever matched no route is a JSON 404, never API Gateway's bare one. */
export const handler = httpHandler(async (event) => noRoute({ method: event.requestContext.http.method, path: event.rawPath }));
