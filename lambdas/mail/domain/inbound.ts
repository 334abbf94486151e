import { createHash } from 'node:crypto';
import type { Mailer } from '../../shared/mailer';

export const MAILBOXES = ['privacy', 'support', 'hello'] as const;
export type Mailbox = (typeof MAILBOXES)[number];

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
  /** SES spam or virus verdict FAIL: kept for review, never answered. */
  suspicious: boolean;
  storageKey: string;
}

export interface Ticket {
  ticketId: string;
  mailbox: Mailbox;
  from: string;
  subject: string;
  text: string;
  receivedAt: string;
  storageKey: string;
  status: 'open' | 'quarantined';
  /** Set once the acknowledgement went out. */
  acknowledgedAt?: string;
  /** For privacy mail: when the legal answer is due (GDPR: one month). */
  dueBy?: string;
  /** Epoch seconds: DynamoDB TTL deletes the ticket two years after it arrived. */
  expiresAt: number;
}

/** Port: where tickets live. */
export interface TicketStore {
  /** Stores the ticket unless one with its id exists; returns the stored ticket either way. */
  createIfAbsent(ticket: Ticket): Promise<Ticket>;
  markAcknowledged(ticketId: string, at: string): Promise<void>;
}

export interface ReceiveDeps {
  tickets: TicketStore;
  mailer: Mailer;
  mailDomain: string;
}

export interface ReceiveResult {
  ticket?: Ticket;
  acknowledged: boolean;
}

/** Longest body kept on the ticket; the full message stays in the bucket. */
export const MAX_TICKET_TEXT = 100_000;
const MAX_SUBJECT = 500;
const PRIVACY_DEADLINE_DAYS = 30;
/** How long a ticket is kept (docs/data-map.md). */
export const TICKET_RETENTION_DAYS = 730;

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

/**
 * Turns a received message into a ticket and acknowledges it once. Safe to run again for the same
 * message: the ticket is not duplicated and an acknowledgement already sent is not sent again.
 */
export async function receiveMail(message: InboundMessage, deps: ReceiveDeps): Promise<ReceiveResult> {
  const mailbox = mailboxOf(message.recipients, deps.mailDomain);
  if (!mailbox) return { acknowledged: false };

  const receivedAt = message.receivedAt.toISOString();
  const ticket = await deps.tickets.createIfAbsent({
    ticketId: ticketIdFor(message.messageId),
    mailbox,
    from: message.from.toLowerCase(),
    subject: message.subject.slice(0, MAX_SUBJECT),
    text: message.text.slice(0, MAX_TICKET_TEXT),
    receivedAt,
    storageKey: message.storageKey,
    status: message.suspicious ? 'quarantined' : 'open',
    dueBy: mailbox === 'privacy' ? addDays(message.receivedAt, PRIVACY_DEADLINE_DAYS).toISOString() : undefined,
    expiresAt: Math.floor(addDays(message.receivedAt, TICKET_RETENTION_DAYS).getTime() / 1000),
  });

  const answerable = ticket.status === 'open' && !message.automated && !ticket.acknowledgedAt && isAddress(ticket.from);
  if (!answerable || ticket.from.endsWith(`@${deps.mailDomain}`)) return { ticket, acknowledged: false };

  await deps.mailer.send({
    to: ticket.from,
    subject: `Re: ${ticket.subject || 'your message'} [${ticket.ticketId}]`,
    text: acknowledgement(ticket),
    inReplyTo: message.headerMessageId,
    autoSubmitted: 'auto-replied',
  });
  await deps.tickets.markAcknowledged(ticket.ticketId, new Date().toISOString());
  return { ticket, acknowledged: true };
}

function acknowledgement(ticket: Ticket): string {
  const reference = `Your reference: ${ticket.ticketId}`;
  switch (ticket.mailbox) {
    case 'privacy':
      return [
        'We have received your privacy request.',
        '',
        'Before we release, change or delete any personal data we will confirm that the request comes from the',
        'account holder, by writing to the address registered on the account. A From header alone is never enough.',
        `We will answer by ${ticket.dueBy!.slice(0, 10)} at the latest (one month, as the GDPR requires).`,
        '',
        reference,
        '',
        'OmnAPI privacy team — privacy@omnapi.com',
      ].join('\n');
    case 'support':
      return ['Thanks for contacting OmnAPI support. A person will reply to this thread.', '', reference].join('\n');
    case 'hello':
      return ['Thanks for writing to OmnAPI. We read every message and will reply if an answer is needed.', '', reference].join('\n');
  }
}

function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * 86_400_000);
}

function isAddress(value: string): boolean {
  return /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(value);
}
