import { json } from '../../shared/http';
import { httpHandler } from '../../shared/middleware/http-handler';
import { originOf, requireSession } from '../http';
import { ChangePasswordBody } from '../schemas';
import { accountService } from '../wiring';

/** `POST /v1/account/password`: needs the current password; signs out every other session. */
export const handler = httpHandler(
  async (event) => {
    await accountService.changePassword(event.principal, event.input.body, originOf(event));
    return json(204);
  },
  { authenticate: requireSession, body: ChangePasswordBody },
);
