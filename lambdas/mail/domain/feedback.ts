import { z } from 'zod';
import type { Suppression, SuppressionList } from '../../shared/suppressions';

const recipients = z.array(z.object({ emailAddress: z.string() }).loose());

/**
 * What SES reports of a sent message, as its configuration set's event destination publishes it to
 * SNS (`eventType`) or an identity's notification topic does (`notificationType`); only the parts read here.
 */
export const DeliveryFeedbackSchema = z
  .object({
    eventType: z.string().optional(),
    notificationType: z.string().optional(),
    bounce: z
      .object({
        bounceType: z.string(),
        bounceSubType: z.string().optional(),
        bouncedRecipients: recipients,
        timestamp: z.string().optional(),
        feedbackId: z.string().optional(),
      })
      .loose()
      .optional(),
    complaint: z
      .object({
        complainedRecipients: recipients,
        complaintFeedbackType: z.string().optional(),
        timestamp: z.string().optional(),
        feedbackId: z.string().optional(),
      })
      .loose()
      .optional(),
    mail: z.object({ messageId: z.string().optional() }).loose().optional(),
  })
  .loose();
export type DeliveryFeedback = z.infer<typeof DeliveryFeedbackSchema>;

/**
 * The addresses a report puts on the suppression list: every recipient of a permanent bounce (the
 * mailbox does not exist or refuses us for good) and of a complaint (its owner called our mail spam).
 * A transient bounce (mailbox full, greylisting) suppresses nothing: SES retries those itself.
 */
export function suppressionsFrom(feedback: DeliveryFeedback, receivedAt: string): { address: string; entry: Suppression }[] {
  const kind = (feedback.eventType ?? feedback.notificationType ?? '').toLowerCase();
  if (kind === 'bounce' && feedback.bounce?.bounceType === 'Permanent') {
    const { bounce } = feedback;
    return bounce.bouncedRecipients.map((r) => ({
      address: r.emailAddress,
      entry: {
        reason: 'bounce',
        at: bounce.timestamp ?? receivedAt,
        detail: `${bounce.bounceType}/${bounce.bounceSubType ?? 'General'}`,
        feedbackId: bounce.feedbackId,
      },
    }));
  }
  if (kind === 'complaint' && feedback.complaint) {
    const { complaint } = feedback;
    return complaint.complainedRecipients.map((r) => ({
      address: r.emailAddress,
      entry: {
        reason: 'complaint',
        at: complaint.timestamp ?? receivedAt,
        detail: complaint.complaintFeedbackType ?? 'abuse',
        feedbackId: complaint.feedbackId,
      },
    }));
  }
  return [];
}

/** Applies one report: each address it names goes on the list (already listed: nothing changes). */
export async function applyFeedback(feedback: DeliveryFeedback, list: SuppressionList, receivedAt: string): Promise<number> {
  const found = suppressionsFrom(feedback, receivedAt);
  for (const { address, entry } of found) await list.suppress(address, entry);
  return found.length;
}
