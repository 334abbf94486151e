import { sha256 } from './crypto';
import { normaliseEmail } from './email-address';

/** Why an address gets no more mail: it bounced for good, or its owner marked our mail as spam. */
export type SuppressionReason = 'bounce' | 'complaint';

export interface Suppression {
  reason: SuppressionReason;
  /** When SES reported it. */
  at: string;
  /** SES's words: the bounce type and subtype, or the complaint's feedback type. */
  detail?: string;
  /** SES's id of the message that bounced or was complained about. */
  feedbackId?: string;
}

/**
 * Port: the addresses no mail goes to — every mailer checks it before sending, the notices sender
 * counts what it skipped. Addresses are kept as the SHA-256 of their normalised form: enough to
 * recognise one we are about to mail, nothing to mail from.
 */
export interface SuppressionList {
  isSuppressed(address: string): Promise<boolean>;
  /** Adds the address (the first report wins; a later one changes nothing). */
  suppress(address: string, entry: Suppression): Promise<void>;
}

/** How an address is looked up: in its one form (normaliseEmail: a Unicode domain as punycode), hashed. */
export function suppressionKeyOf(address: string): string {
  return sha256(normaliseEmail(address));
}
