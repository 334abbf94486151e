import { json } from '../../shared/http';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { originOf } from '../http';
import { accountRoutes } from '../routes';
import { passwordWiring } from '../wiring';

/** `POST /v1/account/password`: needs the current password; signs out every other session. */
export const handler = httpRoutes(
  route(accountRoutes.changePassword, async (event) => {
    await passwordWiring().accountService.changePassword(event.principal, event.input.body, originOf(event));
    return json(204);
  }),
);
