import { json } from '../../shared/http';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { originOf } from '../http';
import { accountRoutes } from '../routes';
import { accountsWiring } from '../wiring';

const { accountService, authenticate } = accountsWiring('TABLE_ACCOUNTS', 'TABLE_SESSIONS', 'TABLE_SECURITY_EVENTS', 'MAIL_FROM');

/** `POST /v1/account/password`: needs the current password; signs out every other session. */
export const handler = httpRoutes(
  route(
    accountRoutes.changePassword,
    async (event) => {
      await accountService.changePassword(event.principal, event.input.body, originOf(event));
      return json(204);
    },
    { authenticate },
  ),
);
