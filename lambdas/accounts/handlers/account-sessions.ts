import { json } from '../../shared/http';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { originOf } from '../http';
import { accountRoutes } from '../routes';
import { sessionsWiring } from '../wiring';

/** `GET /v1/account/sessions`, `DELETE /v1/account/sessions/{id}` and `DELETE /v1/account/sessions` (all but this one), for the caller's own sessions. */
export const handler = httpRoutes(
  route(accountRoutes.listSessions, async (event) =>
    json(200, { sessions: await sessionsWiring().accountService.listSessions(event.principal) }),
  ),
  route(accountRoutes.revokeSession, async (event) => {
    await sessionsWiring().accountService.revokeSession(event.principal, event.input.path.id, originOf(event));
    return json(204);
  }),
  route(accountRoutes.revokeOtherSessions, async (event) =>
    json(200, { sessionsRevoked: await sessionsWiring().accountService.revokeOtherSessions(event.principal, originOf(event)) }),
  ),
);
