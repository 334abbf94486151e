import { MICRO_PER_CREDIT } from '../shared/credits';

/** A credit pack sold through Stripe Checkout: so many credits for a fixed price. */
export interface CreditPack {
  /** Shown on the Checkout page and the receipt. */
  name: string;
  /** Whole credits the pack adds. */
  credits: number;
  /** Price in the currency's smallest unit (cents), as Stripe counts it. */
  priceMinor: number;
  /** ISO 4217, lower-case, as Stripe spells it. */
  currency: string;
}

/**
 * The packs every stage starts from (stage config `creditPacks` replaces them). A name carries no
 * figure: the console writes the credits and the price beside it in the reader's locale, and "1,000"
 * in a name would read as one credit to a German reader.
 */
export const DEFAULT_PACKS: Record<string, CreditPack> = {
  starter: { name: 'Starter', credits: 1_000, priceMinor: 1_000, currency: 'usd' },
  growth: { name: 'Growth', credits: 12_000, priceMinor: 10_000, currency: 'usd' },
  scale: { name: 'Scale', credits: 150_000, priceMinor: 100_000, currency: 'usd' },
};

/** A pack's credits in micro-credits. */
export const packMicro = (pack: CreditPack) => pack.credits * MICRO_PER_CREDIT;
