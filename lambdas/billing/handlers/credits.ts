import { microToCredits } from '../../shared/credits';
import { json } from '../../shared/http';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { billingRoutes } from '../routes';
import { disputesOf } from '../domain/settlement';
import { creditsWiring } from '../wiring';

/** The caller's balance and ledger, the packs for sale, and the public catalogue. */
export const handler = httpRoutes(
  route(billingRoutes.balance, async (event) => {
    const { ledger } = creditsWiring();
    const [balanceMicro, purchases] = await Promise.all([
      ledger.balance(event.principal.accountId),
      ledger.purchasesOf(event.principal.accountId),
    ]);
    return json(200, { balanceMicro, credits: microToCredits(balanceMicro), ...disputesOf(purchases) });
  }),
  route(billingRoutes.ledger, async (event) => {
    const result = await creditsWiring().ledger.page(event.principal.accountId, event.input.query);
    return json(200, {
      entries: result.entries.map((e) => ({ ...e, amount: microToCredits(e.amountMicro) })),
      nextCursor: result.nextCursor && Buffer.from(result.nextCursor).toString('base64url'),
    });
  }),
  route(billingRoutes.packs, async () =>
    json(200, { packs: creditsWiring().packs, checkout: 'POST /v1/billing/checkout {"pack": "<id>"} with your session' }),
  ),
  route(billingRoutes.catalogue, async () => json(200, creditsWiring().catalogue)),
);
