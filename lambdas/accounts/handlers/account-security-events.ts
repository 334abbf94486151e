import { json } from '../../shared/http';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { accountRoutes } from '../routes';
import { accountsWiring } from '../wiring';

const { accountService, authenticate } = accountsWiring('TABLE_SESSIONS', 'TABLE_SECURITY_EVENTS');

/** `GET /v1/account/security-events?limit=&cursor=`: the caller's own events, newest first, a page at a time. */
export const handler = httpRoutes(
  route(
    accountRoutes.securityEvents,
    async (event) => {
      const { limit, cursor } = event.input.query;
      return json(200, await accountService.listSecurityEvents(event.principal, limit, cursor));
    },
    { authenticate },
  ),
);
