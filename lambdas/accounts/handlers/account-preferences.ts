import { json } from '../../shared/http';
import { httpHandler, httpRoutes } from '../../shared/middleware/http-handler';
import { requireSession } from '../http';
import { PreferencesBody } from '../schemas';
import { accountService } from '../wiring';

/** `GET|PUT /v1/account/preferences`: product-update mail and analytics objections. */
export const handler = httpRoutes({
  'GET /v1/account/preferences': httpHandler(async (event) => json(200, await accountService.getPreferences(event.principal)), {
    authenticate: requireSession,
  }),
  'PUT /v1/account/preferences': httpHandler(
    async (event) => json(200, await accountService.setPreferences(event.principal, event.input.body)),
    { authenticate: requireSession, body: PreferencesBody },
  ),
});
