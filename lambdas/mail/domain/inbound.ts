import { createHash } from 'node:crypto';
import { type Mailer, sendOnce } from '../../shared/mailer';
import type { PrivacyMailReceived } from '../../shared/privacy-mail';
import { fixedWindow, type WindowCounter } from '../../shared/throttle';
import { COUNTERS } from '../../shared/items';
import { isMailable, normaliseEmail } from '../../shared/email-address';

export const MAILBOXES = ['privacy', 'support', 'hello'] as const;
export type Mailbox = (typeof MAILBOXES)[number];

/** SES's verdicts on a received message (PASS, FAIL, GRAY, PROCESSING_FAILED). */
export interface Verdicts {
  spf?: string;
  dkim?: string;
  dmarc?: string;
  spam?: string;
  virus?: string;
}

/** A received message, already parsed; the raw MIME stays in the inbound bucket. */
export interface InboundMessage {
  /** SES message id: the key that makes receiving idempotent. */
  messageId: string;
  /** RFC 5322 Message-ID, for threading the acknowledgement. */
  headerMessageId?: string;
  from: string;
  recipients: string[];
  subject: string;
  text: string;
  receivedAt: Date;
  /** Sent by a robot (Auto-Submitted, bulk precedence): never auto-answered. */
  automated: boolean;
  /** A bounce or report: null return path, MAILER-DAEMON or postmaster, multipart/report. Never answered. */
  bounce: boolean;
  /**
   * The sender asked for no automatic answer (`X-Auto-Response-Suppress`), or the mail has been through a
   * robot that marks loops (`X-Loop`): a person may have written it, so privacy mail is still read, but
   * nothing answers it automatically.
   */
  noAutoAnswer?: boolean;
  /** The message could not be parsed: kept for a person, never answered or acted on. */
  unparsed?: boolean;
  verdicts: Verdicts;
  storageKey: string;
  /** The names of the files attached (not inline images, not forwarded messages), which nothing opens. */
  attachments?: string[];
}

export interface Ticket {
  ticketId: string;
  mailbox: Mailbox;
  from: string;
  subject: string;
  text: string;
  receivedAt: string;
  storageKey: string;
  /** The message's own Message-ID: a person's reply threads under it. */
  headerMessageId?: string;
  /** open: a person reads it; quarantined: spam, virus or unparseable, kept for review only; closed: done (ops tickets close). */
  status: 'open' | 'quarantined' | 'closed';
  verdicts: Verdicts;
  /** Set once the acknowledgement went out. */
  acknowledgedAt?: string;
  /** For privacy mail: when the legal answer is due (GDPR: one month). */
  dueBy?: string;
  /** Epoch seconds: DynamoDB TTL deletes the ticket two years after it arrived. */
  expiresAt: number;
  /** What operators answered, oldest first (ops tickets reply). */
  replies?: TicketReply[];
  closedAt?: string;
  closedBy?: string;
}

/** One answer a person sent in the ticket's thread. */
export interface TicketReply {
  at: string;
  /** The operator, as the audit trail names them. */
  by: string;
  from: string;
  subject: string;
  text: string;
}

/** Port: where tickets live. */
export interface TicketStore {
  /** Stores the ticket unless one with its id exists; returns the stored ticket either way. */
  createIfAbsent(ticket: Ticket): Promise<Ticket>;
  /**
   * Claims the ticket's acknowledgement before it is sent (`acknowledgedAt`): false when it was claimed
   * before, so a redelivery after the acknowledgement went out sends none.
   */
  claimAcknowledgement(ticketId: string, at: string): Promise<boolean>;
  /** Gives the claim back when the acknowledgement certainly did not go out (SES refused it). */
  releaseAcknowledgement(ticketId: string): Promise<void>;
}

/** Port: hands privacy mail to the privacy context (a queue), which answers it itself. */
export interface PrivacyMailPort {
  handOver(mail: PrivacyMailReceived): Promise<void>;
}

export interface ReceiveDeps {
  tickets: TicketStore;
  mailer: Mailer;
  mailDomain: string;
  privacy: PrivacyMailPort;
  /** Counts automatic answers per sender address, so forged floods cannot use us as a relay. */
  counter: WindowCounter;
}

export interface ReceiveResult {
  ticket?: Ticket;
  acknowledged: boolean;
  /** Handed to the privacy context. */
  handedOver?: boolean;
}

/** Longest body kept on the ticket; the full message stays in the bucket. */
export const MAX_TICKET_TEXT = 100_000;
const MAX_SUBJECT = 500;
const PRIVACY_DEADLINE_DAYS = 30;
/** How long a ticket is kept (docs/data-map.md). */
export const TICKET_RETENTION_DAYS = 730;
/** Automatic answers one sender address gets in a day; past that, mail is ticketed in silence. */
export const ANSWERS_PER_SENDER_PER_DAY = 3;

/** Which of our mailboxes a message was sent to (the first, when several). */
export function mailboxOf(recipients: string[], mailDomain: string): Mailbox | undefined {
  for (const recipient of recipients) {
    const [local, domain] = recipient.trim().toLowerCase().split('@');
    if (domain === mailDomain && (MAILBOXES as readonly string[]).includes(local ?? '')) return local as Mailbox;
  }
  return undefined;
}

/** Ticket ids derive from the SES message id, so a redelivered message maps to the same ticket. */
export function ticketIdFor(messageId: string): string {
  return `tkt_${createHash('sha256').update(messageId).digest('hex').slice(0, 24)}`;
}

/** SPF, DKIM and DMARC all failed: the From address is very likely forged. */
export function forged(verdicts: Verdicts): boolean {
  return [verdicts.spf, verdicts.dkim, verdicts.dmarc].every((v) => v === 'FAIL');
}

/**
 * Turns a received message into a ticket. Support and hello mail is acknowledged once; privacy mail
 * is handed to the privacy context, which answers it. Nothing is ever sent to a bounce, a report, an
 * automatic reply, a forged or spam sender, our own domain, or an address past its daily answers, and
 * no answer quotes what the sender wrote (no backscatter relay). Safe to run again for one message.
 */
export async function receiveMail(message: InboundMessage, deps: ReceiveDeps): Promise<ReceiveResult> {
  const mailbox = mailboxOf(message.recipients, deps.mailDomain);
  if (!mailbox) return { acknowledged: false };

  const receivedAt = message.receivedAt.toISOString();
  const from = normaliseEmail(message.from);
  const suspicious = message.verdicts.spam === 'FAIL' || message.verdicts.virus === 'FAIL';
  const ticket = await deps.tickets.createIfAbsent({
    ticketId: ticketIdFor(message.messageId),
    mailbox,
    from,
    subject: message.subject.slice(0, MAX_SUBJECT),
    text: message.text.slice(0, MAX_TICKET_TEXT),
    receivedAt,
    storageKey: message.storageKey,
    headerMessageId: message.headerMessageId,
    status: suspicious || message.unparsed ? 'quarantined' : 'open',
    verdicts: message.verdicts,
    dueBy: mailbox === 'privacy' ? addDays(message.receivedAt, PRIVACY_DEADLINE_DAYS).toISOString() : undefined,
    expiresAt: Math.floor(addDays(message.receivedAt, TICKET_RETENTION_DAYS).getTime() / 1000),
  });
  const robot =
    message.automated || message.bounce || ticket.status !== 'open' || !isMailable(from) || from.endsWith(`@${deps.mailDomain}`);
  const answerable =
    !robot &&
    !message.noAutoAnswer &&
    !forged(message.verdicts) &&
    !ticket.acknowledgedAt &&
    (await underDailyAnswers(deps.counter, from, message.receivedAt));

  if (mailbox === 'privacy') {
    // A privacy request is the privacy context's to judge, even when we may not write back to its sender.
    if (robot) return { ticket, acknowledged: false };
    await deps.privacy.handOver({
      messageId: message.messageId,
      ticketId: ticket.ticketId,
      from,
      replyTo: answerable ? from : undefined,
      headerMessageId: message.headerMessageId,
      subject: message.subject.slice(0, 1000),
      text: message.text.slice(0, MAX_TICKET_TEXT),
      receivedAt,
      verdicts: { spf: message.verdicts.spf, dkim: message.verdicts.dkim, dmarc: message.verdicts.dmarc },
      ...(message.attachments?.length ? { attachments: message.attachments.slice(0, 20).map((name) => name.slice(0, 200)) } : {}),
    });
    return { ticket, acknowledged: false, handedOver: true };
  }

  if (!answerable) return { ticket, acknowledged: false };
  const claim = {
    take: () => deps.tickets.claimAcknowledgement(ticket.ticketId, new Date().toISOString()),
    giveBack: () => deps.tickets.releaseAcknowledgement(ticket.ticketId),
  };
  const acknowledged = await sendOnce(deps.mailer, claim, {
    to: from,
    subject: `We received your message [${ticket.ticketId}]`,
    text: acknowledgement(ticket),
    inReplyTo: message.headerMessageId,
    autoSubmitted: 'auto-replied',
  });
  return { ticket, acknowledged };
}

async function underDailyAnswers(counter: WindowCounter, from: string, at: Date): Promise<boolean> {
  const { start, end } = fixedWindow(at, 86_400);
  const key = COUNTERS.mailAnswers.of(createHash('sha256').update(from).digest('hex').slice(0, 32));
  return (await counter.increment(key, start, end)) <= ANSWERS_PER_SENDER_PER_DAY;
}

function acknowledgement(ticket: Ticket): string {
  const reference = `Your reference: ${ticket.ticketId}`;
  return ticket.mailbox === 'support'
    ? ['Thanks for contacting OmnAPI support. A person will reply to this thread.', '', reference].join('\n')
    : ['Thanks for writing to OmnAPI. We read every message and will reply if an answer is needed.', '', reference].join('\n');
}

function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * 86_400_000);
}
