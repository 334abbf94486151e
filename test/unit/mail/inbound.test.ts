import {
  type InboundMessage,
  mailboxOf,
  type PrivacyMailPort,
  receiveMail,
  type Ticket,
  type TicketStore,
  ticketIdFor,
} from '../../../lambdas/mail/domain/inbound';
import type { Mailer, OutgoingMail } from '../../../lambdas/shared/mailer';
import type { PrivacyMailReceived } from '../../../lambdas/shared/privacy-mail';
import { MemorySecurityLog } from '../../helpers/memory-accounts';

class MemoryTickets implements TicketStore {
  readonly items = new Map<string, Ticket>();
  async createIfAbsent(ticket: Ticket): Promise<Ticket> {
    if (!this.items.has(ticket.ticketId)) this.items.set(ticket.ticketId, { ...ticket });
    return { ...this.items.get(ticket.ticketId)! };
  }
  async claimAcknowledgement(ticketId: string, at: string): Promise<boolean> {
    const ticket = this.items.get(ticketId)!;
    if (ticket.acknowledgedAt) return false;
    ticket.acknowledgedAt = at;
    return true;
  }
  async releaseAcknowledgement(ticketId: string): Promise<void> {
    delete this.items.get(ticketId)!.acknowledgedAt;
  }
}

class MemoryMailer implements Mailer {
  readonly sent: OutgoingMail[] = [];
  /** The next send is refused by SES (an answer with a status: nothing went out). */
  failNext = false;
  /** The next send is accepted, but its answer is lost (the connection dropped): the caller sees an error. */
  loseNextAnswer = false;
  async send(mail: OutgoingMail): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw Object.assign(new Error('SES throttled'), { $metadata: { httpStatusCode: 400 } });
    }
    this.sent.push(mail);
    if (this.loseNextAnswer) {
      this.loseNextAnswer = false;
      throw Object.assign(new Error('socket hang up'), { $metadata: {} });
    }
  }
}

class MemoryPrivacy implements PrivacyMailPort {
  readonly handed: PrivacyMailReceived[] = [];
  async handOver(mail: PrivacyMailReceived) {
    this.handed.push(mail);
  }
}

const PASS = { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS', spam: 'PASS', virus: 'PASS' };
const message = (overrides: Partial<InboundMessage> = {}): InboundMessage => ({
  messageId: 'ses-1',
  headerMessageId: '<m1@example.org>',
  from: 'Ann@Example.org',
  recipients: ['support@omnapi.com'],
  subject: 'My key fails <script>',
  text: 'It answers 401.',
  receivedAt: new Date('2026-01-10T12:00:00Z'),
  automated: false,
  bounce: false,
  verdicts: PASS,
  storageKey: 'inbound/ses-1',
  ...overrides,
});

describe('receiveMail', () => {
  let tickets: MemoryTickets;
  let mailer: MemoryMailer;
  let privacy: MemoryPrivacy;
  let counter: MemorySecurityLog;
  const deps = () => ({ tickets, mailer, mailDomain: 'omnapi.com', privacy, counter });
  beforeEach(() => {
    tickets = new MemoryTickets();
    mailer = new MemoryMailer();
    privacy = new MemoryPrivacy();
    counter = new MemorySecurityLog();
  });

  it('tickets support mail and acknowledges it in the thread, quoting nothing the sender wrote', async () => {
    const result = await receiveMail(message(), deps());
    expect(result.ticket).toMatchObject({ mailbox: 'support', status: 'open', from: 'ann@example.org', verdicts: PASS });
    expect(result.ticket!.expiresAt).toBe(Date.parse('2028-01-10T12:00:00Z') / 1000);
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]).toMatchObject({
      to: 'ann@example.org',
      inReplyTo: '<m1@example.org>',
      autoSubmitted: 'auto-replied',
      subject: `We received your message [${ticketIdFor('ses-1')}]`,
    });
    expect(`${mailer.sent[0]!.subject}${mailer.sent[0]!.text}`).not.toMatch(/key fails|script|401/);
  });

  it('hands privacy mail to the privacy context, due one month later, and answers nothing itself', async () => {
    const result = await receiveMail(
      message({ recipients: ['privacy@omnapi.com'], subject: 'Delete my data', text: 'Please delete everything.' }),
      deps(),
    );
    expect(result.ticket).toMatchObject({ mailbox: 'privacy', dueBy: '2026-02-09T12:00:00.000Z' });
    expect(mailer.sent).toEqual([]);
    expect(privacy.handed).toEqual([
      expect.objectContaining({
        messageId: 'ses-1',
        ticketId: ticketIdFor('ses-1'),
        from: 'ann@example.org',
        replyTo: 'ann@example.org',
        subject: 'Delete my data',
        text: 'Please delete everything.',
      }),
    ]);
  });

  it('hands privacy mail over with the names of its attachments, which nothing opens', async () => {
    await receiveMail(message({ recipients: ['privacy@omnapi.com'], attachments: ['letter.pdf', 'id-card.jpg'] }), deps());
    expect(privacy.handed[0]!.attachments).toEqual(['letter.pdf', 'id-card.jpg']);
  });

  it('hands forged privacy mail over without a reply address, and bounces not at all', async () => {
    const forged = { spf: 'FAIL', dkim: 'FAIL', dmarc: 'FAIL', spam: 'PASS', virus: 'PASS' };
    await receiveMail(message({ recipients: ['privacy@omnapi.com'], verdicts: forged }), deps());
    expect(privacy.handed[0]!.replyTo).toBeUndefined();
    await receiveMail(message({ messageId: 'ses-2', recipients: ['privacy@omnapi.com'], bounce: true }), deps());
    expect(privacy.handed).toHaveLength(1);
  });

  it('acknowledges no mail whose sender asked for no automatic answer, yet hands such privacy mail over to be read', async () => {
    await receiveMail(message({ noAutoAnswer: true }), deps());
    expect(mailer.sent).toEqual([]);
    await receiveMail(message({ messageId: 'ses-2', recipients: ['privacy@omnapi.com'], noAutoAnswer: true }), deps());
    expect(privacy.handed).toEqual([expect.objectContaining({ messageId: 'ses-2', replyTo: undefined })]);
  });

  it('creates one ticket and one acknowledgement when the same message is delivered twice', async () => {
    await receiveMail(message(), deps());
    const again = await receiveMail(message(), deps());
    expect(tickets.items.size).toBe(1);
    expect(mailer.sent).toHaveLength(1);
    expect(again.acknowledged).toBe(false);
  });

  it('sends no second acknowledgement when the message is retried after the first went out unrecorded', async () => {
    mailer.loseNextAnswer = true;
    await expect(receiveMail(message(), deps())).rejects.toThrow('socket hang up');
    const again = await receiveMail(message(), deps());
    expect(again.acknowledged).toBe(false);
    expect(mailer.sent).toHaveLength(1);
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
    ['a bounce or report', { bounce: true }],
    ['a spam verdict', { verdicts: { ...PASS, spam: 'FAIL' } }],
    ['a virus verdict', { verdicts: { ...PASS, virus: 'FAIL' } }],
    ['a sender whose SPF, DKIM and DMARC all fail (forged)', { verdicts: { ...PASS, spf: 'FAIL', dkim: 'FAIL', dmarc: 'FAIL' } }],
    ['mail from our own domain', { from: 'no-reply@omnapi.com' }],
    ['a sender that is not an address', { from: 'MAILER-DAEMON' }],
    ['a sender our mail service cannot send to (non-ASCII before the @: SES has no SMTPUTF8)', { from: 'Jürgen@Bücher.de' }],
    ['a message that could not be parsed', { unparsed: true }],
  ])('keeps but never answers %s', async (_label, overrides) => {
    const result = await receiveMail(message(overrides as Partial<InboundMessage>), deps());
    expect(result.ticket).toBeDefined();
    expect(mailer.sent).toHaveLength(0);
  });

  it('answers a sender with an internationalised domain at its ASCII form, and files the ticket under it', async () => {
    const result = await receiveMail(message({ from: 'Anna@Bücher.de' }), deps());
    expect(result.ticket!.from).toBe('anna@xn--bcher-kva.de');
    expect(mailer.sent.map((m) => m.to)).toEqual(['anna@xn--bcher-kva.de']);
  });

  it('answers one sender at most three times a day, however many mails it sends (no relay for forged floods)', async () => {
    for (let i = 0; i < 10; i++) await receiveMail(message({ messageId: `ses-${i}` }), deps());
    expect(tickets.items.size).toBe(10);
    expect(mailer.sent).toHaveLength(3);
  });

  it('quarantines suspicious and unparseable mail', async () => {
    expect((await receiveMail(message({ verdicts: { ...PASS, spam: 'FAIL' } }), deps())).ticket!.status).toBe('quarantined');
    expect((await receiveMail(message({ messageId: 'ses-9', unparsed: true }), deps())).ticket!.status).toBe('quarantined');
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
