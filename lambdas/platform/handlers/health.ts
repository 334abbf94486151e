import { json } from '../../shared/http';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { platformRoutes } from '../routes';

const startedAt = new Date().toISOString();

/** `GET /health`: the API and this function answer. */
export const health = async () =>
  json(200, { status: 'ok', stage: process.env.STAGE ?? 'unknown', time: new Date().toISOString(), startedAt });

export const handler = httpRoutes(route(platformRoutes.health, health));
