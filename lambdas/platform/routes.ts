import { z } from 'zod';
import { defineRoutes } from '../shared/routes';

/** What the platform answers itself: liveness and its own API description. */
export const platformRoutes = defineRoutes({
  health: {
    method: 'GET',
    path: '/health',
    handler: 'health',
    auth: 'public',
    summary: 'Liveness: the API and its functions answer',
    responses: {
      200: {
        description: 'Alive',
        schema: z.object({ status: z.literal('ok'), stage: z.string(), time: z.string(), startedAt: z.string() }),
      },
    },
    errors: [],
  },
  openapi: {
    method: 'GET',
    path: '/v1/openapi.json',
    handler: 'openapi',
    auth: 'public',
    summary: 'This API as an OpenAPI 3.1 document, generated from the route manifests',
    responses: { 200: { description: 'The OpenAPI document', schema: z.record(z.string(), z.unknown()) } },
    errors: [],
  },
});
