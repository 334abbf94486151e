/** A message the platform sends. Plain text only: nothing to render, nothing to track. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  /** Threads a reply under the message it answers. */
  inReplyTo?: string;
  /** Marks machine-sent replies so other robots do not answer them (RFC 3834). */
  autoSubmitted?: 'auto-replied' | 'auto-generated';
}

/** Port: sends mail. SES in AWS; the local runtime's SES emulator writes it to the outbox. */
export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
}
