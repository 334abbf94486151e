import { json } from '../../shared/http';
import { httpHandler } from '../../shared/middleware/http-handler';
import { requireSession } from '../http';
import { LimitQuery } from '../schemas';
import { accountService } from '../wiring';

/** `GET /v1/account/security-events?limit=`: the caller's own sign-ins, password and key changes, newest first. */
export const handler = httpHandler(
  async (event) => json(200, { events: await accountService.listSecurityEvents(event.principal, event.input.query.limit) }),
  { authenticate: requireSession, query: LimitQuery },
);
