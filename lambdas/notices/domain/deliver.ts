import { type Mailer, refusedBeforeSending } from '../../shared/mailer';
import type { SuppressionList } from '../../shared/suppressions';
import { exclusionOf } from './audience';
import { type NoticeSender, noticeMail } from './compose';
import type { DeliveryOutcome, NoticeDelivery, NoticeJob, NoticeStore, RecipientReader } from './model';

export interface DeliverDeps {
  notices: NoticeStore;
  recipients: RecipientReader;
  suppressions: SuppressionList;
  mailer: Mailer;
  sender: NoticeSender;
  now: () => Date;
}

/** What one delivery did: `duplicate` when the recipient had been handled (or claimed) before. */
export type DeliveryResult = DeliveryOutcome['outcome'] | 'duplicate';

/**
 * Delivers one recipient's copy of a notice at most once: the account is read as it is now (a
 * preference switched off since the job began is honoured, an erased account gets nothing), the
 * delivery is claimed with a conditional write, then sent, then settled. A redelivered message finds
 * the claim and sends nothing; a sender that dies between claim and send leaves the recipient
 * `claimed` — shown by `notice status`, never sent twice. A send SES answers with an error releases the
 * claim and throws, so the message is retried (and after a few receives, parked in the DLQ).
 */
export async function deliverNotice(
  delivery: NoticeDelivery,
  deps: DeliverDeps,
  jobs: Map<string, NoticeJob> = new Map(),
): Promise<DeliveryResult> {
  let job = jobs.get(delivery.noticeId);
  if (!job) {
    job = await deps.notices.get(delivery.noticeId);
    if (!job) throw new Error(`Notice ${delivery.noticeId} does not exist`);
    jobs.set(job.noticeId, job);
  }
  const at = () => deps.now().toISOString();
  if (!(await deps.notices.claim(job.noticeId, delivery.accountId, at()))) return 'duplicate';
  const recipient = await deps.recipients.get(delivery.accountId);
  if (!recipient) {
    await deps.notices.settle(job.noticeId, delivery.accountId, { outcome: 'skipped', why: 'gone', at: at() });
    return 'skipped';
  }
  const why = exclusionOf(recipient, job.topic, job.segment, await deps.suppressions.isSuppressed(recipient.email));
  if (why) {
    await deps.notices.settle(job.noticeId, delivery.accountId, { outcome: 'skipped', why, at: at() });
    return 'skipped';
  }
  try {
    await deps.mailer.send(noticeMail(job, recipient, deps.sender, deps.now()));
  } catch (error) {
    // SES answered with an error: nothing went out, so the retry may send. No answer at all may hide an
    // accepted message: the claim stays, and nothing is sent twice.
    if (refusedBeforeSending(error)) await deps.notices.release(job.noticeId, delivery.accountId);
    throw error;
  }
  await deps.notices.settle(job.noticeId, delivery.accountId, { outcome: 'sent', at: at() });
  return 'sent';
}
