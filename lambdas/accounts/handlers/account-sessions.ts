import { json } from '../../shared/http';
import { httpHandler, httpRoutes } from '../../shared/middleware/http-handler';
import { originOf, requireSession } from '../http';
import { IdPath } from '../schemas';
import { accountService } from '../wiring';

/** `GET /v1/account/sessions` and `DELETE /v1/account/sessions/{id}`, for the caller's own sessions. */
export const handler = httpRoutes({
  'GET /v1/account/sessions': httpHandler(async (event) => json(200, { sessions: await accountService.listSessions(event.principal) }), {
    authenticate: requireSession,
  }),
  'DELETE /v1/account/sessions/{id}': httpHandler(
    async (event) => {
      await accountService.revokeSession(event.principal, event.input.path.id, originOf(event));
      return json(204);
    },
    { authenticate: requireSession, path: IdPath },
  ),
});
