import { type InboundMessage, mailboxOf, receiveMail, type Ticket, type TicketStore, ticketIdFor } from '../../../lambdas/mail/domain/inbound';
import type { Mailer, OutgoingMail } from '../../../lambdas/shared/mailer';

class MemoryTickets implements TicketStore {
  readonly items = new Map<string, Ticket>();
  async createIfAbsent(ticket: Ticket): Promise<Ticket> {
    if (!this.items.has(ticket.ticketId)) this.items.set(ticket.ticketId, { ...ticket });
    return { ...this.items.get(ticket.ticketId)! };
  }
  async markAcknowledged(ticketId: string, at: string): Promise<void> {
    this.items.get(ticketId)!.acknowledgedAt = at;
  }
}

class MemoryMailer implements Mailer {
  readonly sent: OutgoingMail[] = [];
  failNext = false;
  async send(mail: OutgoingMail): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('SES throttled');
    }
    this.sent.push(mail);
  }
}

const message = (overrides: Partial<InboundMessage> = {}): InboundMessage => ({
  messageId: 'ses-1',
  headerMessageId: '<m1@example.org>',
  from: 'Ann@Example.org',
  recipients: ['privacy@omnapi.com'],
  subject: 'Delete my data',
  text: 'Please delete everything.',
  receivedAt: new Date('2026-01-10T12:00:00Z'),
  automated: false,
  suspicious: false,
  storageKey: 'inbound/ses-1',
  ...overrides,
});

describe('receiveMail', () => {
  let tickets: MemoryTickets;
  let mailer: MemoryMailer;
  const deps = () => ({ tickets, mailer, mailDomain: 'omnapi.com' });
  beforeEach(() => {
    tickets = new MemoryTickets();
    mailer = new MemoryMailer();
  });

  it('opens a privacy ticket due one month later and acknowledges it in the thread', async () => {
    const result = await receiveMail(message(), deps());
    expect(result.ticket).toMatchObject({ mailbox: 'privacy', status: 'open', from: 'ann@example.org', dueBy: '2026-02-09T12:00:00.000Z' });
    expect(result.ticket!.expiresAt).toBe(Date.parse('2028-01-10T12:00:00Z') / 1000);
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]).toMatchObject({ to: 'ann@example.org', inReplyTo: '<m1@example.org>', autoSubmitted: 'auto-replied' });
    expect(mailer.sent[0]!.text).toContain('2026-02-09');
    expect(mailer.sent[0]!.subject).toContain(ticketIdFor('ses-1'));
  });

  it('creates one ticket and one acknowledgement when the same message is delivered twice', async () => {
    await receiveMail(message(), deps());
    const again = await receiveMail(message(), deps());
    expect(tickets.items.size).toBe(1);
    expect(mailer.sent).toHaveLength(1);
    expect(again.acknowledged).toBe(false);
  });

  it('sends the acknowledgement on retry when the first send failed', async () => {
    mailer.failNext = true;
    await expect(receiveMail(message(), deps())).rejects.toThrow('SES throttled');
    await receiveMail(message(), deps());
    expect(tickets.items.size).toBe(1);
    expect(mailer.sent).toHaveLength(1);
  });

  it.each([
    ['automated mail', { automated: true }],
    ['a spam or virus verdict', { suspicious: true }],
    ['mail from our own domain', { from: 'no-reply@omnapi.com' }],
    ['a sender that is not an address', { from: 'MAILER-DAEMON' }],
  ])('keeps but never answers %s', async (_label, overrides) => {
    const result = await receiveMail(message(overrides), deps());
    expect(result.ticket).toBeDefined();
    expect(mailer.sent).toHaveLength(0);
  });

  it('quarantines suspicious mail', async () => {
    expect((await receiveMail(message({ suspicious: true }), deps())).ticket!.status).toBe('quarantined');
  });

  it('ignores mail for mailboxes it does not serve', async () => {
    const result = await receiveMail(message({ recipients: ['sales@omnapi.com', 'privacy@other.com'] }), deps());
    expect(result).toEqual({ acknowledged: false });
    expect(tickets.items.size).toBe(0);
  });

  it('truncates huge bodies on the ticket (the raw message stays in the bucket)', async () => {
    const result = await receiveMail(message({ text: 'x'.repeat(500_000), subject: 's'.repeat(5000) }), deps());
    expect(result.ticket!.text).toHaveLength(100_000);
    expect(result.ticket!.subject).toHaveLength(500);
  });
});

describe('mailboxOf', () => {
  it('matches our mailboxes case-insensitively and picks the first', () => {
    expect(mailboxOf([' Support@OmnAPI.com', 'privacy@omnapi.com'], 'omnapi.com')).toBe('support');
    expect(mailboxOf(['hello@omnapi.com.evil.org'], 'omnapi.com')).toBeUndefined();
  });
});

describe('privacy request retention', () => {
  it('sets an expiry only once a request has ended, three years out', () => {
    const { expiryFor } = require('../../../lambdas/privacy/domain/request-status');
    const at = new Date('2026-01-01T00:00:00Z');
    expect(expiryFor('in_progress', at)).toBeUndefined();
    expect(expiryFor('needs_manual_action', at)).toBeUndefined();
    expect(expiryFor('completed', at)).toBe(Date.parse('2026-01-01T00:00:00Z') / 1000 + 3 * 365 * 86_400);
    expect(expiryFor('rejected', at)).toBeDefined();
  });
});
