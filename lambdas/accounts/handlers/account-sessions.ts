import { json } from '../../shared/http';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { originOf } from '../http';
import { accountRoutes } from '../routes';
import { accountsWiring } from '../wiring';

const { accountService, authenticate } = accountsWiring('TABLE_SESSIONS', 'TABLE_SECURITY_EVENTS');

/** `GET /v1/account/sessions` and `DELETE /v1/account/sessions/{id}`, for the caller's own sessions. */
export const handler = httpRoutes(
  route(accountRoutes.listSessions, async (event) => json(200, { sessions: await accountService.listSessions(event.principal) }), {
    authenticate,
  }),
  route(
    accountRoutes.revokeSession,
    async (event) => {
      await accountService.revokeSession(event.principal, event.input.path.id, originOf(event));
      return json(204);
    },
    { authenticate },
  ),
);
