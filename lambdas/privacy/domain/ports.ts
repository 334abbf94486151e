import type { Mailer } from '../../shared/mailer';
import type { WindowCounter } from '../../shared/throttle';
import type { Deadlines, OpenSlot, PrivacyRequest, RequestStatus, UnclearMail } from './model';

/** An account as the privacy context needs it: who it is and where to write. */
export interface Subject {
  accountId: string;
  email: string;
  name: string;
  /** The profile's country, which picks the legal deadline. */
  country?: string;
  /** The account's `locale` preference (BCP 47): the language of replies to its API requests, and to letters whose language we cannot tell. */
  locale?: string;
}

/** Port: finds the account a request is about. */
export interface SubjectDirectory {
  findByEmail(email: string): Promise<Subject | undefined>;
  get(accountId: string): Promise<Subject | undefined>;
  /** Whether `password` is the account's sign-in password (constant work whether or not it is). */
  passwordMatches(accountId: string, password: string): Promise<boolean>;
}

/** A status change, optionally guarded: applied only while the request is in one of `from`. */
export interface Transition {
  status: RequestStatus;
  note?: string;
  from?: readonly RequestStatus[];
}

/** Port: privacy requests. */
export interface RequestStore {
  /** Stores a new request; false when one with its id exists (a redelivered intake). */
  create(request: PrivacyRequest): Promise<boolean>;
  get(requestId: string): Promise<PrivacyRequest | undefined>;
  listByAccount(accountId: string): Promise<PrivacyRequest[]>;
  /**
   * Claims "the open request asking this" (`openSlotOf`) for the account: returns `requestId` when it is
   * now the open one, or the id of the request already open (the new one then joins it). That request
   * may not be stored yet: its opener claims first and stores it just after.
   */
  claimOpen(accountId: string, slot: OpenSlot, requestId: string): Promise<string>;
  releaseOpen(accountId: string, slot: OpenSlot, requestId: string): Promise<void>;
  /** Changes fields and, with `transition`, the status (appending to the history); undefined when the guard refused. */
  update(requestId: string, changes: Partial<PrivacyRequest>, transition?: Transition, at?: Date): Promise<PrivacyRequest | undefined>;
  /** Requests not yet ended, oldest deadline first (the watchdog's and ops' view). */
  open(): Promise<PrivacyRequest[]>;
  /** What intake did with a received message, so a redelivery does not answer twice. */
  intakeOutcome(messageId: string): Promise<string | undefined>;
  /**
   * Claims the one reply a received message gets (acknowledgement or help), before it is sent: false
   * when it was claimed before, so a redelivery after the reply went out sends none.
   */
  claimReply(messageId: string, at: Date): Promise<boolean>;
  /** Gives the claim back when the reply certainly did not go out (SES refused it). */
  releaseReply(messageId: string): Promise<void>;
  /**
   * Claims a request's closing mail of `kind` before it is sent (`mailedAt.<kind>`, a time on the
   * request): false when it was claimed before, so a step retried after the mail went out sends none.
   */
  claimMail(requestId: string, kind: ClosingMail, at: Date): Promise<boolean>;
  /** Gives the claim back when the mail certainly did not go out (SES refused it). */
  releaseMail(requestId: string, kind: ClosingMail): Promise<void>;
  /** Adds the language of a later letter that joined the request to its `joinedLanguages` (each once, however often it is added). */
  addJoinedLanguage(requestId: string, language: string): Promise<void>;
  /** Records the outcome and the rights the message was read as asking for (for ops, kept 30 days). */
  recordIntake(messageId: string, outcome: string, at: Date, rights: string[]): Promise<void>;
  /** Keeps a privacy mail no right could be read from, on the clock until an operator classifies it (idempotent on its ticket). */
  recordUnclear(mail: UnclearMail): Promise<void>;
  getUnclear(ticketId: string): Promise<UnclearMail | undefined>;
  /** Unclear mail not yet classified or dismissed, oldest deadline first. */
  openUnclear(): Promise<UnclearMail[]>;
  /** Closes it with the operator's decision; false when it was closed already. */
  closeUnclear(ticketId: string, status: 'classified' | 'dismissed', outcome: NonNullable<UnclearMail['outcome']>): Promise<boolean>;
}

/**
 * What a callback to a waiting execution came to: `delivered`, or `gone` when the execution no longer
 * waits on that token (it moved on, timed out or ended). Any other failure (throttling, an outage) is
 * thrown, so the caller's own retry delivers it: a confirmed request never waits silently for days.
 */
export type CallbackOutcome = 'delivered' | 'gone';

/** Port: the Step Functions workflow that carries a request. */
export interface Workflow {
  /** Starts the request's execution (named after it, so starting twice is harmless). */
  start(request: PrivacyRequest): Promise<void>;
  /** Lets a waiting execution go on (the link was confirmed). */
  resume(taskToken: string, output: Record<string, unknown>): Promise<CallbackOutcome>;
  /** Ends a waiting execution's wait with an error (expired, cancelled). */
  fail(taskToken: string, error: string, cause: string): Promise<CallbackOutcome>;
}

/** Port: the paid credits an account still holds (lost when it is deleted). */
export interface PaidCredits {
  remainingMicro(accountId: string): Promise<number>;
}

/** What a deletion costs its holder, told before it is confirmed: the paid credits lost, the cooling-off. */
export interface DeletionTerms {
  paidCredits: PaidCredits;
  coolingOffSeconds: number;
}

export interface PrivacyDeps {
  requests: RequestStore;
  subjects: SubjectDirectory;
  workflow: Workflow;
  mailer: Mailer;
  counter: WindowCounter;
  /** Base URL of the links in mail. */
  publicUrl: string;
  /** Our mail domain (of the address we send from): our own mail forwarded back to privacy@ is not read as a request. */
  ownDomain?: string;
  /** How long a confirmation link works. */
  linkLifeHours: number;
  /** The legal deadline by jurisdiction. @default DEFAULT_DEADLINES (30 days everywhere) */
  deadlines?: Deadlines;
  now: () => Date;
  /** Waits between tries (a request meeting another being opened waits for it). @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
}

/** The mails a step sends before it closes its request: each is sent once, whatever retries the step. */
export type ClosingMail = 'objection' | 'correction' | 'erasureReceipt';
