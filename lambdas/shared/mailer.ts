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
