import { json } from '../../shared/http';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { accountRoutes } from '../routes';
import { accountsWiring } from '../wiring';

const { accountService, authenticate } = accountsWiring('TABLE_ACCOUNTS', 'TABLE_SESSIONS');

/** `GET|PUT /v1/account/preferences`: product-update mail, analytics objections, low-balance notice. */
export const handler = httpRoutes(
  route(accountRoutes.getPreferences, async (event) => json(200, await accountService.getPreferences(event.principal)), { authenticate }),
  route(accountRoutes.setPreferences, async (event) => json(200, await accountService.setPreferences(event.principal, event.input.body)), {
    authenticate,
  }),
);
