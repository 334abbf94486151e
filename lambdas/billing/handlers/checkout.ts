import { json } from '../../shared/http';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { billingRoutes } from '../routes';
import { checkoutWiring } from '../wiring';

const checkout = () => checkoutWiring().checkout();

/** `POST /v1/billing/checkout`, `GET /v1/billing/checkout/{sessionId}` and `GET /v1/billing/portal`: Stripe Checkout, how it ended, and the Customer Portal. */
export const handler = httpRoutes(
  route(billingRoutes.checkout, async (event) => {
    const origin = { ip: event.requestContext.http.sourceIp, userAgent: event.requestContext.http.userAgent ?? '' };
    return json(201, await (await checkout()).startCheckout(event.principal.accountId, event.input.body.pack, origin));
  }),
  route(billingRoutes.portal, async (event) => json(200, await (await checkout()).portal(event.principal.accountId))),
  route(billingRoutes.checkoutStatus, async (event) =>
    json(200, await (await checkout()).status(event.principal.accountId, event.input.path.sessionId)),
  ),
  route(billingRoutes.cancelCheckout, async (event) => {
    const { sessionId } = event.input.path;
    event.audit = { targets: [{ type: 'checkout', id: sessionId }] };
    return json(200, await (await checkout()).cancel(event.principal.accountId, sessionId));
  }),
);
