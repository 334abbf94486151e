import { json } from '../../shared/http';
import { httpHandler } from '../../shared/middleware/http-handler';
import { originOf } from '../http';
import { SignupBody } from '../schemas';
import { accountService } from '../wiring';

/** `POST /v1/auth/signup`: the same answer whether or not the email already has an account. */
export const handler = httpHandler(
  async (event) => {
    await accountService.signup(event.input.body, originOf(event));
    return json(201, { status: 'verification_sent', message: 'Check your inbox: follow the link we sent to confirm your address.' });
  },
  { body: SignupBody },
);
