import { json } from '../../shared/http';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { originOf } from '../http';
import { accountRoutes } from '../routes';
import { signInWiring } from '../wiring';

/** `GET /v1/account` and `PATCH /v1/account` (correction of name, profile and email). */
export const handler = httpRoutes(
  route(accountRoutes.getAccount, async (event) => json(200, await signInWiring().accountService.getAccount(event.principal))),
  route(accountRoutes.updateAccount, async (event) => {
    const updated = await signInWiring().accountService.updateAccount(event.principal, event.input.body, originOf(event));
    // Which fields changed, never the password that confirmed an email change.
    const { currentPassword: _password, ...asked } = event.input.body;
    event.audit = {
      change: {
        after: {
          fields: Object.keys(asked).filter((k) => asked[k as keyof typeof asked] !== undefined),
          pendingEmail: updated.pendingEmail,
        },
      },
    };
    return json(200, updated);
  }),
);
