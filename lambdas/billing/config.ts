import { z } from 'zod';
import { boundName, loadConfig, publicUrl } from '../shared/config';
import { parsePacks } from './packs';

const packs = () => z.string().min(2).transform(parsePacks);

/** The balance, ledger and packs reader. */
export const creditsConfig = () => loadConfig({ TABLE_LEDGER: boundName(), TABLE_SESSIONS: boundName(), CREDIT_PACKS: packs() });

/** Checkout and the Customer Portal; the Stripe keys are read separately (stripe-client.ts). */
export const checkoutConfig = () =>
  loadConfig({
    TABLE_SESSIONS: boundName(),
    TABLE_ACCOUNTS: boundName(),
    TABLE_SECURITY_EVENTS: boundName(),
    CREDIT_PACKS: packs(),
    PUBLIC_URL: publicUrl(),
    CHECKOUTS_PER_HOUR: z.coerce.number().int().min(1),
  });

/** The Stripe webhook. */
export const webhookConfig = () =>
  loadConfig({
    TABLE_WEBHOOK_EVENTS: boundName(),
    TABLE_LEDGER: boundName(),
    TABLE_ACCOUNTS: boundName(),
    TABLE_SECURITY_EVENTS: boundName(),
    CREDIT_PACKS: packs(),
    MAIL_FROM: z.email(),
    PUBLIC_URL: publicUrl(),
  });
