import { z } from 'zod';
import { queryInteger } from '../shared/query-params';
import { LEDGER_ENTRY_TYPES } from './domain/ledger';

const isoTime = z.string().meta({ format: 'date-time' });

export const PageQuery = z.object({
  limit: queryInteger({ min: 1, max: 100, default: 50 }),
  cursor: z
    .string()
    .max(400)
    .transform((c) => Buffer.from(c, 'base64url').toString('utf8'))
    .refine((c) => /^ENTRY#\d{4}-\d\d-\d\dT[\d:.]+Z#[\w=+/-]{1,100}$/.test(c), 'not a cursor from a previous page')
    .optional()
    .meta({ description: 'nextCursor of the previous page' }),
});

export const DisputeView = z
  .object({
    disputeId: z.string(),
    paymentIntentId: z.string().meta({ description: 'The disputed payment' }),
    pack: z.string(),
    status: z
      .enum(['open', 'won', 'lost'])
      .meta({ description: "open: the payment's disputed share of credits is held; won: released; lost: taken back for good" }),
    amountMinor: z.number().int().meta({ description: "The amount disputed, in the payment currency's minor unit as Stripe counts it" }),
    currency: z.string(),
    paidAt: isoTime,
  })
  .meta({ id: 'Dispute' });

export const BalanceView = z.object({
  balanceMicro: z.number().int().meta({ description: 'May be negative after a refund or dispute of credits already spent' }),
  credits: z.string().meta({ description: 'The same, as an exact decimal' }),
  heldMicro: z.number().int().meta({ description: 'Credits held while disputes are open (not in the balance)' }),
  disputes: z.array(DisputeView).meta({ description: "Every dispute of the account's payments, newest payment first" }),
});

export const LedgerEntryView = z
  .object({
    entryId: z.string(),
    type: z.enum(LEDGER_ENTRY_TYPES),
    amountMicro: z.number().int(),
    amount: z.string().meta({ description: 'Credits, exact decimal; negative takes credit away' }),
    reason: z.string(),
    ref: z.string().optional().meta({ description: 'Stripe object, request id or operator reference it answers to' }),
    pack: z.string().optional(),
    stripe: z
      .object({
        customerId: z.string().optional(),
        checkoutSessionId: z.string().optional(),
        paymentIntentId: z.string().optional(),
        chargeId: z.string().optional(),
        disputeId: z.string().optional(),
        refundId: z
          .string()
          .optional()
          .meta({ description: 'The Stripe refund, for a refund reported on its own (one that failed gives its credits back)' }),
        eventId: z.string().optional(),
        amountMinor: z.number().int().optional(),
        currency: z.string().optional(),
      })
      .optional(),
    at: isoTime,
  })
  .meta({ id: 'LedgerEntry' });

export const LedgerResult = z.object({ entries: z.array(LedgerEntryView), nextCursor: z.string().optional() });

export const PackView = z
  .object({
    id: z.string(),
    name: z.string(),
    credits: z.number().int(),
    priceMinor: z.number().int().meta({ description: 'In the smallest unit of the currency, e.g. cents' }),
    currency: z.string(),
  })
  .meta({ id: 'CreditPack' });
export const PacksResult = z.object({ packs: z.array(PackView), checkout: z.string() });

export const CheckoutBody = z.object({ pack: z.string().min(1).max(40) });
export const CheckoutSessionPath = z.object({ sessionId: z.string().regex(/^cs_[\w]{1,200}$/, 'Not a Checkout Session id') });
export const CheckoutStatusView = z
  .object({
    sessionId: z.string(),
    status: z.enum(['pending', 'paid', 'cancelled', 'expired']).meta({
      description:
        'pending: can still be paid, or a delayed payment is on its way; paid; cancelled: ended by the buyer, nothing charged; expired: lapsed unpaid',
    }),
    pack: z.string().nullable(),
    packName: z.string().nullable(),
    amountMinor: z.number().int().nullable(),
    currency: z.string().nullable(),
    credited: z.boolean().meta({ description: 'The credits are on the balance (the webhook may land a moment after the buyer returns)' }),
    credits: z.string().nullable().meta({ description: 'Credits the purchase adds, once paid' }),
  })
  .meta({ id: 'CheckoutStatus' });

/** The whole offer, public: products and their price per call, plans and their limits, credit packs. */
export const CatalogueView = z
  .object({
    products: z.array(
      z.object({
        id: z.string(),
        pricePerCall: z.string().meta({ description: 'Credits per call, exact decimal' }),
        priceMicroCredits: z.number().int(),
      }),
    ),
    plans: z.array(z.object({ id: z.string(), requestsPerMinute: z.number().int() })),
    packs: z.array(PackView),
  })
  .meta({ id: 'Catalogue' });
export const CheckoutResult = z.object({ id: z.string(), url: z.url().meta({ description: 'Send the buyer here: Stripe Checkout' }) });
export const PortalResult = z.object({ url: z.url().meta({ description: 'Stripe Customer Portal: invoices and payment methods' }) });
export const WebhookResult = z.object({ received: z.literal(true), outcome: z.string() });
