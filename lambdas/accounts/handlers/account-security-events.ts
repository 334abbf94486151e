import { customerAuditView } from '../../shared/audit';
import { json } from '../../shared/http';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { accountRoutes } from '../routes';
import { activityWiring } from '../wiring';

/** `GET /v1/account/security-events` and `GET /v1/account/audit`: the caller's own events, newest first, a page at a time. */
export const handler = httpRoutes(
  route(accountRoutes.auditEvents, async (event) => {
    const { limit, cursor, action, actor, from, to } = event.input.query;
    const filter = action || actor || from || to ? { action, actorType: actor, from, to } : undefined;
    // Only the caller's own stream: the cursor is a position inside it, never a key of another.
    const page = await activityWiring().audit.page(`account#${event.principal.accountId}`, { newestFirst: true, limit, cursor, filter });
    return json(200, { ...page, events: page.events.map(customerAuditView) });
  }),
  route(accountRoutes.securityEvents, async (event) => {
    const { limit, cursor } = event.input.query;
    return json(200, await activityWiring().accountService.listSecurityEvents(event.principal, limit, cursor));
  }),
);
