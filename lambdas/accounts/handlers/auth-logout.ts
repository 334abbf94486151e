import { json } from '../../shared/http';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { clearedSessionCookie, originOf } from '../http';
import { accountRoutes } from '../routes';
import { sessionsWiring } from '../wiring';

/** `POST /v1/auth/logout`: ends this session and clears the cookie. */
export const handler = httpRoutes(
  route(accountRoutes.logout, async (event) => {
    await sessionsWiring().accountService.logout(event.principal, originOf(event));
    return { ...json(204), cookies: [clearedSessionCookie] };
  }),
);
