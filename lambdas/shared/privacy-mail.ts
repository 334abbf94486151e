import { z } from 'zod';

/**
 * The message the mail context queues for the privacy context when privacy@ receives mail it may
 * answer (not a bounce, not an auto-reply): what the message says and what SES made of it. The two
 * contexts share this contract, not code.
 */
export const PrivacyMailReceivedSchema = z.object({
  /** SES message id: intake is idempotent on it. */
  messageId: z.string().min(1).max(200),
  ticketId: z.string().min(1).max(100),
  /** The From address: used only to find the account, never to answer with data or links. */
  from: z.string().max(320),
  /** Where a neutral reply may go (From, unless the message may not be answered at all). */
  replyTo: z.string().max(320).optional(),
  headerMessageId: z.string().max(1000).optional(),
  subject: z.string().max(1000),
  text: z.string().max(100_000),
  receivedAt: z.iso.datetime(),
  verdicts: z.object({ spf: z.string().optional(), dkim: z.string().optional(), dmarc: z.string().optional() }),
  /** The names of the files attached (never their content: they are not opened), so a letter sent as a PDF is recognised as one. */
  attachments: z.array(z.string().max(200)).max(20).optional(),
});

export type PrivacyMailReceived = z.infer<typeof PrivacyMailReceivedSchema>;
