import { DynamoDbLedger } from '../../lambdas/billing/adapters/dynamodb-ledger';
import type { Purchase } from '../../lambdas/billing/domain/ledger';
import { refundedOf } from '../../lambdas/billing/domain/settlement';
import { readSecretString } from '../../lambdas/shared/adapters/secrets';
import { microToCredits } from '../../lambdas/shared/credits';
import { ORIGIN_SECRET_HEADER } from '../../lambdas/shared/middleware/origin-guard';
import { accountByEmail, Command, Option, stageOption, UsageError, withResources } from './program';
import type { Resources } from './resources';
import { chargeRefunded, checkoutCompleted, dispute, newDisputeId, newRefundId, refundObject, sign } from './stripe-fixtures';
import { recordOps } from './audit';

const KINDS = ['checkout', 'refund', 'refund-failed', 'dispute', 'dispute-won', 'dispute-lost'] as const;

export const stripeEvent = new Command('stripe-event')
  .description('Build a realistic Stripe event, sign it with the webhook secret and post it to the webhook (no Stripe account needed)')
  .addOption(new Option('--kind <kind>', 'what happened').choices(KINDS).makeOptionMandatory())
  .requiredOption('--email <email>', "the buyer's account")
  .option('--pack <pack>', 'checkout: the credit pack', 'starter')
  .option(
    '--amount <minor>',
    "checkout: the amount paid (default: the pack's price); refund: the amount refunded now (default: the rest); refund-failed: the amount of the refund that failed (default: all that is refunded)",
  )
  .option('--currency <code>', "checkout: the currency paid (default: the pack's)")
  .option('--payment-intent <id>', "refund and disputes: the payment (default: the account's latest purchase)")
  .addOption(stageOption())
  .action(
    async (options: {
      kind: (typeof KINDS)[number];
      email: string;
      pack: string;
      amount?: string;
      currency?: string;
      paymentIntent?: string;
      stage: 'local' | 'dev' | 'prod';
    }) => {
      const amount = options.amount === undefined ? undefined : Number(options.amount);
      if (amount !== undefined && !(Number.isSafeInteger(amount) && amount > 0))
        throw new UsageError("--amount must be a positive integer in the currency's smallest unit (cents)");
      await withResources(options.stage, async (resources) => {
        const account = await accountByEmail(resources, options.email);
        const buyer = { accountId: account.accountId, email: account.email, name: account.name, customerId: account.stripeCustomerId };
        const ledger = new DynamoDbLedger(resources.dynamo, resources.tables.ledger);
        let event: { id: string; type: string };
        if (options.kind === 'checkout') {
          const packs = JSON.parse(resources.outputs.CreditPacks ?? '{}');
          const pack = packs[options.pack];
          if (!pack) throw new UsageError(`--pack must be one of ${Object.keys(packs).join(', ')}`);
          event = checkoutCompleted(buyer, options.pack, pack, { amountMinor: amount, currency: options.currency });
        } else {
          const purchase = await purchaseFor(ledger, account.accountId, options.paymentIntent);
          if (options.kind === 'refund') {
            const now = amount ?? purchase.amountMinor - purchase.refundedMinor;
            event = chargeRefunded(buyer, purchase, Math.min(purchase.amountMinor, purchase.refundedMinor + now));
          } else if (options.kind === 'refund-failed') {
            // The bank sent the refund back (a closed card): the money is ours again, and so are its credits.
            const refunded = refundedOf(purchase);
            if (refunded === 0)
              throw new UsageError(`Nothing of payment ${purchase.paymentIntentId} is refunded: send --kind refund first`);
            event = refundObject('refund.failed', purchase, newRefundId(), Math.min(amount ?? refunded, refunded), 'failed');
          } else if (options.kind === 'dispute') {
            event = dispute('charge.dispute.created', purchase, newDisputeId(), 'needs_response');
          } else {
            const open = Object.entries(purchase.disputes).find(([, d]) => d.status === 'open');
            if (!open) throw new UsageError(`Payment ${purchase.paymentIntentId} has no open dispute: send --kind dispute first`);
            event = dispute('charge.dispute.closed', purchase, open[0], options.kind === 'dispute-won' ? 'won' : 'lost');
          }
        }
        const payload = JSON.stringify(event, null, 2);
        const response = await fetch(`${webhookBase(resources)}/v1/webhooks/stripe`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'stripe-signature': sign(payload, await webhookSecret(resources)),
            // Stripe's requests reach an edge-guarded API through the edge, which adds this; locally, we add it.
            ...(process.env.ORIGIN_SECRET ? { [ORIGIN_SECRET_HEADER]: process.env.ORIGIN_SECRET } : {}),
          },
          body: payload,
        });
        const answer = await response.text();
        await recordOps(resources, {
          action: 'stripe.event_sent',
          targets: [
            { type: 'account', id: account.accountId },
            { type: 'stripe_event', id: event.id },
          ],
          reason: `${event.type} signed with the local webhook secret`,
        });
        console.log(`${event.type} ${event.id} → HTTP ${response.status} ${answer}`);
        if (!response.ok) process.exitCode = 1;
        console.log(`Balance of ${account.email}: ${microToCredits(await ledger.balance(account.accountId))} credits`);
      });
    },
  );

async function purchaseFor(ledger: DynamoDbLedger, accountId: string, paymentIntentId?: string): Promise<Purchase> {
  if (paymentIntentId) {
    const purchase = await ledger.purchaseOf(paymentIntentId);
    if (!purchase || purchase.accountId !== accountId) throw new UsageError(`No purchase ${paymentIntentId} on this account`);
    return purchase;
  }
  const latest = (await ledger.purchasesOf(accountId)).sort((a, b) => b.at.localeCompare(a.at))[0];
  if (!latest) throw new UsageError('This account has no purchase yet: send --kind checkout first');
  return latest;
}

function webhookBase(resources: Resources): string {
  if (!resources.apiUrl) throw new Error('The stack has no API URL output');
  return resources.apiUrl.replace(/\/$/, '');
}

async function webhookSecret(resources: Resources): Promise<string> {
  if (resources.stage === 'local') {
    if (!resources.stripeWebhookSecret)
      throw new Error('The local platform has no Stripe webhook secret in its resource map: restart npm start');
    return resources.stripeWebhookSecret;
  }
  return JSON.parse(await readSecretString(resources.outputs.StripeSecretName!)).webhookSecret;
}
