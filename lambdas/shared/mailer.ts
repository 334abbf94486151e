/** A message the platform sends. Plain text: nothing to render, nothing to track. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  /**
   * The same text as an HTML alternative, only where plain text cannot say how it reads: a language
   * written right to left (`<html lang dir="rtl">`). Never images, scripts or tracking.
   */
  html?: string;
  /** One of our other addresses (a mailbox a ticket came to, the notices sender); the stage's identity when absent. */
  from?: string;
  /** Threads a reply under the message it answers. */
  inReplyTo?: string;
  /** The thread's Message-IDs, oldest first; `inReplyTo` alone when absent. */
  references?: string[];
  /** Marks machine-sent replies so other robots do not answer them (RFC 3834). */
  autoSubmitted?: 'auto-replied' | 'auto-generated';
  /** Further headers, e.g. List-Id and List-Unsubscribe on subscription mail. */
  headers?: Record<string, string>;
}

/** Port: sends mail. SES in AWS; the local runtime's SES emulator writes it to the outbox. */
export interface Mailer {
  /** Sends, unless the address is on the suppression list (bounced or complained): then nothing goes out. */
  send(mail: OutgoingMail): Promise<void>;
}

/** A claim on sending one mail, kept in a store: taken before the mail is sent, given back when nothing went out. */
export interface MailClaim {
  /** True when this sender took the claim; false when it was taken before (sent, or a sender stopped mid-send). */
  take(): Promise<boolean>;
  giveBack(): Promise<void>;
}

/**
 * Whether a failed send certainly sent nothing: SES answered, with an error (throttled, paused,
 * rejected). No answer at all (a timeout, a dropped connection) may hide an accepted message.
 */
export function refusedBeforeSending(error: unknown): boolean {
  return Boolean((error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode);
}

/**
 * Sends `mail` at most once for `claim`: the claim is taken first, so a retry after the mail went out
 * but before the caller recorded it sends nothing; a send SES refused gives the claim back, so its
 * retry sends. A sender that stops between the claim and SES's answer leaves the claim taken: that
 * mail is lost rather than sent twice. False when the claim was taken before (nothing sent).
 */
export async function sendOnce(mailer: Mailer, claim: MailClaim, mail: OutgoingMail): Promise<boolean> {
  if (!(await claim.take())) return false;
  try {
    await mailer.send(mail);
  } catch (error) {
    if (refusedBeforeSending(error)) await claim.giveBack();
    throw error;
  }
  return true;
}
