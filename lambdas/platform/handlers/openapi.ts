import document from '../../../docs/openapi.json';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { platformRoutes } from '../routes';

const body = JSON.stringify(document);

/** `GET /v1/openapi.json`: the checked-in document (a test keeps it equal to the manifests). */
export const handler = httpRoutes(
  route(platformRoutes.openapi, async () => ({
    statusCode: 200,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'public, max-age=300' },
    body,
  })),
);
