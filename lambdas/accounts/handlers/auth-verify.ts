import { json } from '../../shared/http';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { originOf } from '../http';
import { accountRoutes } from '../routes';
import { verifyWiring } from '../wiring';

/** `GET /v1/auth/verify?token=…`: the single-use link from a verification, email-change or "was this you?" mail. */
export const handler = httpRoutes(
  route(accountRoutes.verify, async (event) => {
    const { purpose } = await verifyWiring().accountService.confirmEmailToken(event.input.query.token, originOf(event));
    const status = { verify_email: 'verified', change_email: 'email_changed', unlock_sign_in: 'sign_in_unlocked' } as const;
    return json(200, { status: status[purpose] });
  }),
);
