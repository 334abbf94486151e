import { json } from '../../shared/http';
import { httpHandler } from '../../shared/middleware/http-handler';
import { originOf } from '../http';
import { VerifyQuery } from '../schemas';
import { accountService } from '../wiring';

/** `GET /v1/auth/verify?token=…`: the single-use link from a verification or email-change mail. */
export const handler = httpHandler(
  async (event) => {
    const { purpose } = await accountService.confirmEmailToken(event.input.query.token, originOf(event));
    return json(200, { status: purpose === 'verify_email' ? 'verified' : 'email_changed' });
  },
  { query: VerifyQuery },
);
