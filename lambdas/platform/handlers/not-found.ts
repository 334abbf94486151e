import { httpRoutes } from '../../shared/middleware/http-handler';

/** The `$default` route: whatever matched no route is a JSON 404, never API Gateway's bare one. */
export const handler = httpRoutes();
