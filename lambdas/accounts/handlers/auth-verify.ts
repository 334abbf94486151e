import { json } from '../../shared/http';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { originOf } from '../http';
import { accountRoutes } from '../routes';
import { accountsWiring } from '../wiring';

const { accountService } = accountsWiring('TABLE_ACCOUNTS', 'TABLE_TOKENS', 'TABLE_SECURITY_EVENTS', 'MAIL_FROM');

/** `GET /v1/auth/verify?token=…`: the single-use link from a verification or email-change mail. */
export const handler = httpRoutes(
  route(accountRoutes.verify, async (event) => {
    const { purpose } = await accountService.confirmEmailToken(event.input.query.token, originOf(event));
    return json(200, { status: purpose === 'verify_email' ? 'verified' : 'email_changed' });
  }),
);
