import { json } from '../../shared/http';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { noSoonerThan, UNIFORM_ANSWER_MS } from '../domain/pacing';
import { originOf } from '../http';
import { accountRoutes } from '../routes';
import { signupWiring } from '../wiring';

/** `POST /v1/auth/signup` and `POST /v1/auth/verify/resend`: the same answer whether or not the email already has an account. */
export const handler = httpRoutes(
  route(accountRoutes.signup, async (event) => {
    await signupWiring().accountService.signup(event.input.body, originOf(event));
    return json(201, { status: 'verification_sent', message: 'Check your inbox: follow the link we sent to confirm your address.' });
  }),
  route(accountRoutes.resendVerification, async (event) => {
    await noSoonerThan(UNIFORM_ANSWER_MS, () => signupWiring().accountService.resendVerification(event.input.body, originOf(event)));
    return json(202, { status: 'accepted', message: 'If this address has an account waiting for confirmation, a new link is on its way.' });
  }),
);
