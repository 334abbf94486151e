import { json } from '../../shared/http';
import { httpHandler, httpRoutes } from '../../shared/middleware/http-handler';
import { originOf, requireSession } from '../http';
import { UpdateAccountBody } from '../schemas';
import { accountService } from '../wiring';

/** `GET /v1/account` and `PATCH /v1/account` (correction of name, profile and email). */
export const handler = httpRoutes({
  'GET /v1/account': httpHandler(async (event) => json(200, await accountService.getAccount(event.principal)), {
    authenticate: requireSession,
  }),
  'PATCH /v1/account': httpHandler(
    async (event) => json(200, await accountService.updateAccount(event.principal, event.input.body, originOf(event))),
    { authenticate: requireSession, body: UpdateAccountBody },
  ),
});
