import { sha256 } from '../../shared/crypto';
import type { NoticeTopic } from '../../shared/notice-topics';

/** A delivery record's key: a hash of notice and account, so the record names no one. */
export const deliveryKeyOf = (noticeId: string, accountId: string) => sha256(`${noticeId}:${accountId}`);

/** Which accounts a notice is for, besides its topic: `--segment plan=pro`. */
export interface Segment {
  plan?: string;
}

/** One send of a notice: a durable job whose recipients are messages on the notices queue. */
export interface NoticeJob {
  noticeId: string;
  topic: NoticeTopic;
  subject: string;
  body: string;
  segment: Segment;
  createdAt: string;
  /** The operator, as the audit trail names them. */
  createdBy: string;
  /** How many accounts the audience had when the job was made, and why the others were left out. */
  recipients: number;
  excluded: Partial<Record<Exclusion, number>>;
}

/** The account fields a notice decision reads. */
export interface Recipient {
  accountId: string;
  email: string;
  name: string;
  emailVerified: boolean;
  plan: string;
  preferences?: Record<string, unknown>;
}

/** Why an account does not get a notice. */
export type Exclusion = 'unverified' | 'opted_out' | 'suppressed' | 'not_in_segment';

/** What became of one recipient: sent, left out (and why), or claimed by a sender that never confirmed (never retried: it may have gone out). */
export type DeliveryOutcome =
  | { outcome: 'sent'; at: string }
  | { outcome: 'skipped'; why: Exclusion | 'gone'; at: string }
  | { outcome: 'claimed'; at: string };

/** One recipient of one job, as the queue carries it. */
export interface NoticeDelivery {
  noticeId: string;
  accountId: string;
}

/** Port: the jobs and their per-recipient delivery records. */
export interface NoticeStore {
  get(noticeId: string): Promise<NoticeJob | undefined>;
  /** Stores the job unless one with its id exists; true when this call made it. */
  createIfAbsent(job: NoticeJob): Promise<boolean>;
  /** Claims the recipient's delivery for one sender; false when anything (sent, skipped, claimed) was recorded before. */
  claim(noticeId: string, accountId: string, at: string): Promise<boolean>;
  /** Records what became of a claimed delivery. */
  settle(noticeId: string, accountId: string, outcome: DeliveryOutcome): Promise<void>;
  /** Gives a claim back when SES refused the message (nothing went out), so a retry may send it. */
  release(noticeId: string, accountId: string): Promise<void>;
  /** How many deliveries of the job ended each way so far. */
  progress(noticeId: string): Promise<Record<DeliveryOutcome['outcome'], number>>;
  /** The delivery keys (`deliveryKeyOf`) already handled, any outcome: what a resumed job does not queue again. */
  handled(noticeId: string): Promise<Set<string>>;
}

/** Port: reads a recipient's account as it is now. */
export interface RecipientReader {
  get(accountId: string): Promise<Recipient | undefined>;
}
