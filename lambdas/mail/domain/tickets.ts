import type { OutgoingMail } from '../../shared/mailer';
import type { Ticket } from './inbound';
import { isMailable } from '../../shared/email-address';

/** Why a ticket cannot be answered by mail, or undefined when it can. */
export function replyRefusal(ticket: Ticket, mailDomain: string): string | undefined {
  if (ticket.status === 'quarantined') return 'it is quarantined (spam, virus or unreadable): answering could mail a forged sender';
  if (!isMailable(ticket.from)) return `its sender (${ticket.from || 'none'}) is not an address our mail service can send to`;
  if (ticket.from.endsWith(`@${mailDomain}`)) return 'it came from our own domain';
  return undefined;
}

/** `Re: <subject>`, once, whatever the sender's client already put in front. */
export function replySubject(subject: string): string {
  const bare = subject.trim();
  return /^re:/i.test(bare) ? bare : `Re: ${bare || '(no subject)'}`;
}

/**
 * A person's answer in the ticket's thread: from the mailbox the message came to, to its sender, under
 * its Message-ID (In-Reply-To and References) with a `Re:` subject and the ticket's reference, so the
 * sender's client files it with their message and a reply to it finds the ticket.
 */
export function ticketReply(ticket: Ticket, text: string, mailDomain: string): OutgoingMail {
  return {
    from: `${ticket.mailbox}@${mailDomain}`,
    to: ticket.from,
    subject: replySubject(ticket.subject).includes(ticket.ticketId)
      ? replySubject(ticket.subject)
      : `${replySubject(ticket.subject)} [${ticket.ticketId}]`,
    text: `${text.trimEnd()}\n\n-- \nOmnAPI ${ticket.mailbox}, your reference: ${ticket.ticketId}\n`,
    inReplyTo: ticket.headerMessageId,
    references: ticket.headerMessageId ? [ticket.headerMessageId] : undefined,
  };
}
