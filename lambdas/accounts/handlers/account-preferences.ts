import { json } from '../../shared/http';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { accountRoutes } from '../routes';
import { preferencesWiring } from '../wiring';

/** `GET|PUT /v1/account/preferences`: product-update mail, analytics objections, low-balance notice. */
export const handler = httpRoutes(
  route(accountRoutes.getPreferences, async (event) => json(200, await preferencesWiring().accountService.getPreferences(event.principal))),
  route(accountRoutes.setPreferences, async (event) =>
    json(200, await preferencesWiring().accountService.setPreferences(event.principal, event.input.body)),
  ),
);
