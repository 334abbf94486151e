import { json } from '../../shared/http';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { noSoonerThan, UNIFORM_ANSWER_MS } from '../domain/pacing';
import { originOf } from '../http';
import { accountRoutes } from '../routes';
import { signInWiring } from '../wiring';

/** `POST /v1/auth/password-reset` (mail the link, the same answer for every address) and `…/confirm` (follow it). */
export const handler = httpRoutes(
  route(accountRoutes.requestPasswordReset, async (event) => {
    await noSoonerThan(UNIFORM_ANSWER_MS, () => signInWiring().accountService.requestPasswordReset(event.input.body, originOf(event)));
    return json(202, {
      status: 'accepted',
      message: 'If this address has an account, a link to set a new password is on its way. It works once, for an hour.',
    });
  }),
  route(accountRoutes.confirmPasswordReset, async (event) => {
    const { accountId, sessionsRevoked } = await signInWiring().accountService.resetPassword(event.input.body, originOf(event));
    event.audit = { by: { accountId, via: 'link:password_reset' } };
    return json(200, { status: 'password_reset', sessionsRevoked });
  }),
);
