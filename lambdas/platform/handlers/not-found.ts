import { NotFoundError } from '../../shared/errors';
import type { HttpEvent } from '../../shared/http';
import { httpHandler } from '../../shared/middleware/http-handler';

/** The `$default` route: whatever matched no route is a JSON 404, never API Gateway's bare one. */
export const notFound = async (event: HttpEvent): Promise<never> => {
  throw new NotFoundError(`No route for ${event.requestContext.http.method} ${event.rawPath}`);
};

export const handler = httpHandler(notFound);
