import { type ConsolePage, consoleUrl } from './console-links';
import { randomSecret, sha256 } from './crypto';
import type { Mailer } from './mailer';
import { displayEmail } from './email-address';

/** How long a mailed email link works (at most: a password-reset link works less). */
export const EMAIL_TOKEN_TTL_SECONDS = 24 * 3600;

export type EmailLinkPurpose = 'verify_email' | 'change_email' | 'unlock_sign_in' | 'reset_password';

/** The console page each kind of link opens (the page calls the API with the token). */
const PAGE_OF: Record<EmailLinkPurpose, ConsolePage> = {
  verify_email: 'verify',
  change_email: 'verify',
  unlock_sign_in: 'unlock',
  reset_password: 'resetPassword',
};

/** A mail of its own for a link (the default one asks to confirm an address). */
export interface EmailLinkMessage {
  subject: string;
  text: (url: string) => string;
}

/** A single-use email link as stored: only the SHA-256 of its token. */
export interface EmailLinkToken {
  tokenHash: string;
  purpose: EmailLinkPurpose;
  accountId: string;
  /** The address the link was sent to (the new one, for a change). */
  email: string;
  expiresAt: number;
  /** When the link was mailed: a password set since then ends a reset link (absent on links made before it was kept). */
  issuedAt?: string;
}

/** Port: where link tokens are kept until used (accounts' tokens table). */
export interface EmailLinkTokens {
  put(token: EmailLinkToken): Promise<void>;
}

/**
 * Mints a single-use link and mails it to `email`: confirming a new account's address, or a new
 * address for an existing account (the change happens only when the link is opened, from that
 * address). Accounts sends it on sign-up and on `PATCH /v1/account`; the privacy workflow sends the
 * same link for a correction of the address, so one confirmation flow serves both.
 */
export async function mailEmailLink(
  deps: { tokens: EmailLinkTokens; mailer: Mailer; publicUrl: string; now: () => Date },
  link: { accountId: string; email: string; purpose: EmailLinkPurpose; message?: EmailLinkMessage; ttlSeconds?: number },
): Promise<void> {
  const token = randomSecret();
  const now = deps.now();
  await deps.tokens.put({
    tokenHash: sha256(token),
    purpose: link.purpose,
    accountId: link.accountId,
    email: link.email,
    expiresAt: Math.floor(now.getTime() / 1000) + (link.ttlSeconds ?? EMAIL_TOKEN_TTL_SECONDS),
    issuedAt: now.toISOString(),
  });
  const url = consoleUrl(deps.publicUrl, PAGE_OF[link.purpose], { token });
  const message = link.message ?? {
    subject: link.purpose === 'verify_email' ? 'Confirm your OmnAPI account' : 'Confirm your new OmnAPI email address',
    text: (at: string) =>
      [
        `Follow this link within ${EMAIL_TOKEN_TTL_SECONDS / 3600} hours to confirm ${displayEmail(link.email)}:`,
        '',
        at,
        '',
        'It works once. If you did not ask for this, ignore this message.',
      ].join('\n'),
  };
  await deps.mailer.send({ to: link.email, subject: message.subject, text: message.text(url) });
}
