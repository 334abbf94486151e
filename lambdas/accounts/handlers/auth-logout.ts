import { json } from '../../shared/http';
import { httpHandler } from '../../shared/middleware/http-handler';
import { clearedSessionCookie, originOf, requireSession } from '../http';
import { accountService } from '../wiring';

/** `POST /v1/auth/logout`: ends this session and clears the cookie. */
export const handler = httpHandler(
  async (event) => {
    await accountService.logout(event.principal, originOf(event));
    return { ...json(204), cookies: [clearedSessionCookie] };
  },
  { authenticate: requireSession },
);
