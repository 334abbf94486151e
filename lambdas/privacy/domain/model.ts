import { createHash } from 'node:crypto';
import type { ErasureRecord, ErasureSubject } from './erasure';
import { BUCKET_LIFETIME_DAYS } from '../../shared/data-map';

/** The five rights of the privacy policy. */
export const REQUEST_TYPES = ['access', 'portability', 'deletion', 'correction', 'objection'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

/**
 * What a request asks, as its open-request claim names it: a request asked again while one asking the
 * same is open joins that one. Its type — and for a correction also what it corrects (its words, in one
 * form): a correction in other words is a request of its own, never folded into the open one, whose
 * handling would not read them. The same words asked twice (a double click, a letter sent again) join.
 */
export type OpenSlot = RequestType | `correction#${string}`;

export function openSlotOf(request: Pick<PrivacyRequest, 'type' | 'details'>): OpenSlot {
  const words = request.details?.normalize('NFKC').replace(/\s+/gu, ' ').trim().toLowerCase();
  if (request.type !== 'correction' || !words) return request.type;
  return `correction#${createHash('sha256').update(words).digest('hex').slice(0, 32)}`;
}

/**
 * Where a request stands. received → awaiting_confirmation (a link went to the registered address)
 * → confirmed → in_progress → completed; or expired (link unused), cancelled, failed, or
 * needs_manual_action (a person takes it from there, with the deadline).
 */
export const REQUEST_STATUSES = [
  'received',
  'awaiting_confirmation',
  'confirmed',
  'in_progress',
  'needs_manual_action',
  'completed',
  'failed',
  'expired',
  'cancelled',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** Statuses a request does not leave. */
export const FINAL_STATUSES: readonly RequestStatus[] = ['completed', 'expired', 'cancelled'];

/** SES's spam-authentication verdicts, recorded on the request but never taken as proof of identity. */
export interface MailVerdicts {
  spf?: string;
  dkim?: string;
  dmarc?: string;
}

export interface StatusChange {
  status: RequestStatus;
  at: string;
  note?: string;
}

export interface PrivacyRequest {
  requestId: string;
  type: RequestType;
  status: RequestStatus;
  channel: 'mail' | 'api';
  /** An API deletion confirmed with the account's password, instead of the mailed link. */
  confirmedBy?: 'password';
  accountId: string;
  /** The account's registered address when the request was opened: where every mail about it goes. */
  email: string;
  /** The language the request letter was written in (BCP 47, from its vocabulary), so replies can be localised. */
  language?: string;
  /**
   * The languages of later letters that joined the request (BCP 47, each once): what becomes of it is written in each of them
   * too, so every letter it answers is answered in its writer's language.
   */
  joinedLanguages?: string[];
  /** What the requester wrote (mail text or API details), for a person and for corrections. */
  details?: string;
  receivedAt: string;
  /** The legal deadline: one month from receipt (GDPR art. 12(3)), later if extended. */
  dueAt: string;
  /** The deadline before any extension. */
  originalDueAt?: string;
  /** When the watchdog flagged the request as past 75 % of its time. */
  clockWarnedAt?: string;
  history: StatusChange[];
  /**
   * The confirmation: SHA-256 of the single-use link's token and when the link dies. A request whose
   * letter's link went out with another request (`viaRequest`, see `letter`) holds no token: it waits,
   * until `expiresAt`, for that link.
   */
  confirmation?: { tokenHash?: string; expiresAt: string; remindedAt?: string; usedAt?: string; viaRequest?: string };
  /**
   * The requests one letter opened when it asked for several rights (erasure and objection, access and
   * correction …), in the order they were opened. The first one's link, mailed once, confirms every
   * one still waiting; each runs its own workflow with its own deadline and history.
   */
  letter?: { requestIds: string[] };
  /** The workflow's task token while it waits for the confirmation. */
  taskToken?: string;
  verdicts?: MailVerdicts;
  ticketId?: string;
  /** The export, once made: where it is, until when it exists, and the mailed link's token and life. */
  /** The archive of an access or portability request; `erasedAt` once the account's erasure deleted it (no link works then). */
  export?: {
    key: string;
    bytes: number;
    files: Record<string, number>;
    expiresAt: string;
    downloadTokenHash?: string;
    linkExpiresAt?: string;
    erasedAt?: string;
  };
  /** Why a request failed, for ops. */
  failure?: { error: string; cause: string };
  /** Deletion: the cooling-off's end and its cancel link's token hash. */
  erasureStartsAt?: string;
  /** Deletion deferred by these holds (an open dispute, a negative balance, a legal hold); the watchdog resumes it when none is left. */
  heldBy?: string[];
  cancelTokenHash?: string;
  /** Deletion: progress while it runs (with what it needs to know of the person), then the proof only. */
  erasure?: ErasureRecord & { subject?: ErasureSubject };
  /** Epoch seconds DynamoDB TTL deletes the request: set once it ends (kept three years as proof). */
  expiresAt?: number;
}

/** Statuses in which a request waits for its confirmation link. */
export const WAITING_FOR_LINK: readonly RequestStatus[] = ['received', 'awaiting_confirmation'];

/** The requests of `request`'s letter (itself alone when its letter asked for one right), the link's holder first. */
export const letterOf = (request: Pick<PrivacyRequest, 'requestId' | 'letter'>): string[] =>
  request.letter?.requestIds ?? [request.requestId];

/** The mailed download link works this long (the archive itself is deleted after 7 days). */
export const DOWNLOAD_LINK_HOURS = 24;
export const ARCHIVE_DAYS = BUCKET_LIFETIME_DAYS.exports;

/** A request is kept this long after it ends, as proof it was answered (docs/data-map.md). */
export const RETENTION_AFTER_END_DAYS = 3 * 365;
/** GDPR art. 12(3): one month. */
export const DEADLINE_DAYS = 30;

/** Days to answer, by the account's country (ISO 3166-1 alpha-2, from its profile); `days` for any other. */
export interface Deadlines {
  days: number;
  byCountry: Record<string, number>;
}

export const DEFAULT_DEADLINES: Deadlines = { days: DEADLINE_DAYS, byCountry: {} };

/** The days a request of an account in `country` has, and the jurisdiction that set them. */
export function deadlineFor(deadlines: Deadlines, country: string | undefined): { days: number; jurisdiction: string } {
  const own = country ? deadlines.byCountry[country.toUpperCase()] : undefined;
  return own === undefined ? { days: deadlines.days, jurisdiction: 'default' } : { days: own, jurisdiction: country!.toUpperCase() };
}

/** The request as its holder sees it: never the token hashes or the workflow's token. */
export function requestView(request: PrivacyRequest) {
  const {
    confirmation,
    taskToken: _token,
    export: archive,
    failure: _failure,
    expiresAt: _ttl,
    cancelTokenHash: _cancel,
    erasure,
    ...rest
  } = request;
  return {
    ...rest,
    confirmationExpiresAt: request.status === 'awaiting_confirmation' ? confirmation?.expiresAt : undefined,
    export: archive
      ? { bytes: archive.bytes, files: archive.files, expiresAt: archive.expiresAt, linkExpiresAt: archive.linkExpiresAt }
      : undefined,
    erasure: erasure
      ? { startedAt: erasure.startedAt, finishedAt: erasure.finishedAt, counts: erasure.counts, kept: erasure.kept }
      : undefined,
  };
}
export type PrivacyRequestView = ReturnType<typeof requestView>;

/**
 * Privacy mail in which no right could be recognised. The legal clock started when it arrived, so it
 * is a request in all but its type: it has a deadline, counts on the clock and waits for an operator to
 * classify it (`ops privacy classify`), which opens the request it asked for, from its arrival time.
 */
export interface UnclearMail {
  ticketId: string;
  messageId: string;
  /** The sender's address (the From header: it proves nothing, it only finds the account). */
  from: string;
  subject: string;
  /** The new text of the mail (quoted history cut), at most 5,000 characters. */
  text: string;
  /** Why it was unclear, with the words that made it so. */
  why: string;
  language?: string;
  receivedAt: string;
  dueAt: string;
  status: 'open' | 'classified' | 'dismissed';
  /** What an operator decided: the request it became, or why none. */
  outcome?: { by: string; at: string; requestIds?: string[]; note: string };
}
