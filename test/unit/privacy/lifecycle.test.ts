import { EXPORTED_TABLES } from '../../../lambdas/privacy/domain/export';
import { PrivacyIntake } from '../../../lambdas/privacy/domain/intake';
import { ConfirmationLinks, ConfirmationMail, deletionWarning } from '../../../lambdas/privacy/domain/confirmation';
import { LegalClock } from '../../../lambdas/privacy/domain/legal-clock';
import { ExportSteps } from '../../../lambdas/privacy/domain/export-steps';
import { type RecordDeps, RequestRecords } from '../../../lambdas/privacy/domain/request-records';
import { type Messages, messagesFor } from '../../../lambdas/privacy/messages';
import { FINAL_STATUSES, type OpenSlot, type PrivacyRequest, type UnclearMail } from '../../../lambdas/privacy/domain/model';
import type { RequestStore, Transition, Workflow } from '../../../lambdas/privacy/domain/ports';
import { DATA_MAP } from '../../../lambdas/shared/data-map';
import { EXPORT_ITEM_SCHEMAS } from '../../../lambdas/privacy/export-schema';
import { FixedClock, MemoryMailer, MemorySecurityLog } from '../../helpers/memory-accounts';

class MemoryRequests implements RequestStore {
  readonly items = new Map<string, PrivacyRequest>();
  readonly openClaims = new Map<string, string>();
  readonly intakes = new Map<string, string>();
  async create(request: PrivacyRequest) {
    if (this.items.has(request.requestId)) return false;
    this.items.set(request.requestId, structuredClone(request));
    return true;
  }
  async get(id: string) {
    const r = this.items.get(id);
    return r && structuredClone(r);
  }
  async listByAccount(accountId: string) {
    return [...this.items.values()].filter((r) => r.accountId === accountId);
  }
  async claimOpen(accountId: string, type: OpenSlot, requestId: string) {
    const key = `${accountId}#${type}`;
    if (!this.openClaims.has(key)) this.openClaims.set(key, requestId);
    return this.openClaims.get(key)!;
  }
  async releaseOpen(accountId: string, type: OpenSlot, requestId: string) {
    if (this.openClaims.get(`${accountId}#${type}`) === requestId) this.openClaims.delete(`${accountId}#${type}`);
  }
  async update(id: string, changes: Partial<PrivacyRequest>, transition?: Transition, at = new Date()) {
    const r = this.items.get(id);
    if (!r || (transition?.from && !transition.from.includes(r.status))) return undefined;
    for (const [k, v] of Object.entries(changes)) (r as unknown as Record<string, unknown>)[k] = v;
    if (transition) {
      r.status = transition.status;
      r.history.push({ status: transition.status, at: at.toISOString(), ...(transition.note ? { note: transition.note } : {}) });
    }
    return structuredClone(r);
  }
  async open() {
    return [...this.items.values()].filter((r) => !FINAL_STATUSES.includes(r.status));
  }
  async intakeOutcome(id: string) {
    return this.intakes.get(id);
  }
  async recordIntake(id: string, outcome: string) {
    this.intakes.set(id, outcome);
  }
  readonly replies = new Set<string>();
  async claimReply(id: string) {
    if (this.replies.has(id)) return false;
    this.replies.add(id);
    return true;
  }
  async releaseReply(id: string) {
    this.replies.delete(id);
  }
  readonly mails = new Set<string>();
  async claimMail(id: string, kind: string) {
    if (this.mails.has(`${id}#${kind}`)) return false;
    this.mails.add(`${id}#${kind}`);
    return true;
  }
  async releaseMail(id: string, kind: string) {
    this.mails.delete(`${id}#${kind}`);
  }
  async addJoinedLanguage(id: string, language: string) {
    const request = this.items.get(id);
    if (request) request.joinedLanguages = [...new Set([...(request.joinedLanguages ?? []), language])].sort();
  }
  readonly unclear = new Map<string, UnclearMail>();
  async recordUnclear(mail: UnclearMail) {
    if (!this.unclear.has(mail.ticketId)) this.unclear.set(mail.ticketId, structuredClone(mail));
  }
  async getUnclear(ticketId: string) {
    const mail = this.unclear.get(ticketId);
    return mail && structuredClone(mail);
  }
  async openUnclear() {
    return [...this.unclear.values()].filter((m) => m.status === 'open');
  }
  async closeUnclear(ticketId: string, status: 'classified' | 'dismissed', outcome: NonNullable<UnclearMail['outcome']>) {
    const mail = this.unclear.get(ticketId);
    if (mail?.status !== 'open') return false;
    Object.assign(mail, { status, outcome });
    return true;
  }
}

class FakeWorkflow implements Workflow {
  started: string[] = [];
  resumed: string[] = [];
  failed: { token: string; error: string }[] = [];
  async start(request: PrivacyRequest) {
    this.started.push(request.requestId);
  }
  async resume(token: string) {
    this.resumed.push(token);
    return 'delivered' as const;
  }
  async fail(token: string, error: string) {
    this.failed.push({ token, error });
    return 'delivered' as const;
  }
}

/** Every unit of a request's life on the same ports, as the functions build them between them; deletions cost `paidMicro` and wait a day. */
function lifecycleOf(deps: RecordDeps & { workflow: Workflow; linkLifeHours: number; reminderAfterHours: number }, paidMicro: number) {
  const deletionTerms = { paidCredits: { remainingMicro: async () => paidMicro }, coolingOffSeconds: 24 * 3600 };
  return {
    records: new RequestRecords(deps),
    mail: new ConfirmationMail({ ...deps, deletionTerms }),
    links: new ConfirmationLinks(deps),
    clock: new LegalClock(deps),
    deletionWarning: (request: PrivacyRequest, m: Messages) => deletionWarning(deletionTerms, request, m),
  };
}

function setup(paidMicro = 0) {
  const requests = new MemoryRequests();
  const workflow = new FakeWorkflow();
  const mailer = new MemoryMailer();
  const clock = new FixedClock();
  const subjects = {
    accounts: new Map([
      ['acc_a', { accountId: 'acc_a', email: 'ann@example.org', name: 'Ann' }],
      ['acc_b', { accountId: 'acc_b', email: 'bob@example.org', name: 'Bob' }],
    ]),
    async findByEmail(email: string) {
      return [...this.accounts.values()].find((a) => a.email === email);
    },
    async get(id: string) {
      return this.accounts.get(id);
    },
    async passwordMatches(id: string, password: string) {
      return this.accounts.has(id) && password === `${id}-password`;
    },
  };
  const deps = {
    requests,
    subjects,
    workflow,
    mailer,
    counter: new MemorySecurityLog(),
    publicUrl: 'https://api.omnapi.test',
    linkLifeHours: 72,
    reminderAfterHours: 36,
    now: () => clock.now(),
  };
  const lifecycle = lifecycleOf(deps, paidMicro);
  const intake = new PrivacyIntake(deps);
  const mailRequest = async (from: string, messageId: string, text = 'Please send me a copy of my data') => {
    await intake.fromMail({
      messageId,
      ticketId: `tkt_${messageId}`,
      from,
      replyTo: from,
      subject: 'GDPR',
      text,
      receivedAt: clock.now().toISOString(),
      verdicts: {},
    });
    const request = [...requests.items.values()].find((r) => r.ticketId === `tkt_${messageId}`)!;
    await lifecycle.mail.begin(request.requestId);
    const link = mailer.sent
      .filter((m) => m.to === request.email && /confirm\?/.test(m.text))
      .at(-1)!
      .text.match(/request=(\S+)&token=(\S+)/)!;
    return { request, token: decodeURIComponent(link[2]!) };
  };
  return { requests, subjects, workflow, mailer, clock, lifecycle, intake, mailRequest, deps };
}

/** Ann's second letter (message m2, ticket t2), in German: an access request, which joins her open one. */
const germanAccessLetter = () => ({
  messageId: 'm2',
  ticketId: 't2',
  from: 'ann@example.org',
  replyTo: 'ann@example.org',
  subject: 'Auskunft',
  text: 'Bitte senden Sie mir eine Kopie meiner Daten.',
  receivedAt: new Date().toISOString(),
  verdicts: {},
});

describe('privacy request lifecycle', () => {
  it('sends the link to the registered address only, and a link confirms its own request once', async () => {
    const { mailer, lifecycle, mailRequest, requests } = setup();
    const a = await mailRequest('ann@example.org', 'm1');
    const b = await mailRequest('bob@example.org', 'm2');
    expect(mailer.sent.filter((m) => /confirm\?/.test(m.text)).map((m) => m.to)).toEqual(['ann@example.org', 'bob@example.org']);
    await expect(lifecycle.links.confirm(b.request.requestId, a.token)).rejects.toMatchObject({ kind: 'not_found', code: 'link_invalid' });
    await expect(lifecycle.links.confirm(a.request.requestId, `${a.token}x`)).rejects.toMatchObject({ code: 'link_invalid' });
    expect((await requests.get(b.request.requestId))!.status).toBe('awaiting_confirmation');
    await lifecycle.links.describeLink(a.request.requestId, a.token);
    expect((await requests.get(a.request.requestId))!.status).toBe('awaiting_confirmation');
    await lifecycle.links.confirm(a.request.requestId, a.token);
    await expect(lifecycle.links.confirm(a.request.requestId, a.token)).rejects.toMatchObject({ kind: 'gone', code: 'link_used' });
  });

  it('stops honouring a link once the account has moved to another address, and writes only to the current one', async () => {
    const { lifecycle, mailRequest, mailer, subjects } = setup();
    const { request, token } = await mailRequest('ann@example.org', 'm1');
    subjects.accounts.get('acc_a')!.email = 'ann.new@example.org';
    await expect(lifecycle.links.confirm(request.requestId, token)).rejects.toMatchObject({ kind: 'gone', code: 'link_closed' });
    await lifecycle.mail.begin(request.requestId);
    expect(mailer.sent.at(-1)!.to).toBe('ann.new@example.org');
  });

  it('resumes the waiting workflow on confirmation, even when the confirmation came before the wait began', async () => {
    const { lifecycle, mailRequest, workflow } = setup();
    const early = await mailRequest('ann@example.org', 'm1');
    await lifecycle.links.confirm(early.request.requestId, early.token);
    await lifecycle.mail.awaitConfirmation(early.request.requestId, 'token-early');
    expect(workflow.resumed).toEqual(['token-early']);
  });

  it('refuses an expired link, reminds once with a fresh link, then expires the request and fails its wait', async () => {
    const { lifecycle, mailRequest, clock, mailer, requests, workflow } = setup();
    const { request, token } = await mailRequest('ann@example.org', 'm1');
    await lifecycle.mail.awaitConfirmation(request.requestId, 'token-1');
    clock.advance(36 * 3600);
    expect(await lifecycle.mail.sweepConfirmations()).toEqual({ reminded: 1, expired: 0 });
    expect(await lifecycle.mail.sweepConfirmations()).toEqual({ reminded: 0, expired: 0 });
    expect(mailer.sent.at(-1)).toMatchObject({ to: 'ann@example.org', subject: expect.stringMatching(/^Reminder/) });
    // The reminder's link replaced the first one.
    await expect(lifecycle.links.confirm(request.requestId, token)).rejects.toMatchObject({ code: 'link_invalid' });
    clock.advance(36 * 3600 + 1);
    expect(await lifecycle.mail.sweepConfirmations()).toEqual({ reminded: 0, expired: 1 });
    expect(workflow.failed).toEqual([{ token: 'token-1', error: 'RequestExpired' }]);
    expect((await requests.get(request.requestId))!).toMatchObject({ status: 'expired', expiresAt: expect.any(Number) });
    expect(mailer.sent.at(-1)!.subject).toMatch(/expired/);
  });

  it('flags a request past 75 % of its time once, counts it overdue past its deadline, and extends it by at most two months', async () => {
    const { lifecycle, mailRequest, clock, requests, mailer } = setup();
    const { request, token } = await mailRequest('ann@example.org', 'm1');
    const originalDue = request.dueAt;
    await lifecycle.links.confirm(request.requestId, token);
    expect(await lifecycle.clock.checkClock()).toEqual({ nearing: [], overdue: [], stuck: [] });
    clock.advance(23 * 86_400);
    expect((await lifecycle.clock.checkClock()).nearing).toEqual([request.requestId]);
    expect((await requests.get(request.requestId))!.clockWarnedAt).toBeDefined();
    clock.advance(8 * 86_400);
    const late = await lifecycle.clock.checkClock();
    expect(late.overdue).toEqual([request.requestId]);
    // Confirmed days ago and nothing happened since: stuck too.
    expect(late.stuck).toEqual([request.requestId]);
    const extended = await lifecycle.clock.extend(request.requestId, 2, 'the export needs a manual review');
    expect(Date.parse(extended.dueAt) - Date.parse(originalDue)).toBe(60 * 86_400_000);
    expect(mailer.sent.at(-1)).toMatchObject({
      to: 'ann@example.org',
      subject: expect.stringMatching(/More time/),
      text: expect.stringContaining('manual review'),
    });
    await expect(lifecycle.clock.extend(request.requestId, 1, 'again')).rejects.toMatchObject({ code: 'request_state' });
    expect((await lifecycle.clock.checkClock()).overdue).toEqual([]);
  });

  it('a reminder of an open request joins it, even when it calls itself an objection ("této námitky"), and opens nothing else', async () => {
    const { mailRequest, intake, requests, workflow } = setup();
    await mailRequest('ann@example.org', 'm1');
    expect(
      await intake.fromMail({
        messageId: 'm2',
        ticketId: 't2',
        from: 'ann@example.org',
        subject: 'Upomínka',
        text: 'Dobrý den,\n\n1. prosince jsem Vás žádala o kopii svých údajů podle čl. 15 GDPR a dosud nemám žádnou odpověď. Po přijetí této námitky mi prosím odpovězte.\n\nAnna',
        receivedAt: new Date().toISOString(),
        verdicts: {},
      }),
    ).toBe('joined');
    expect([...requests.items.values()].map((r) => r.type)).toEqual(['access']);
    expect(workflow.started).toHaveLength(1);
  });

  it('joins a second request of the same type while one is open, never sending it a link of its own', async () => {
    const { mailRequest, intake, requests, workflow } = setup();
    await mailRequest('ann@example.org', 'm1');
    expect(
      await intake.fromMail({
        messageId: 'm2',
        ticketId: 't2',
        from: 'ann@example.org',
        subject: 'again',
        text: 'send me a copy of my data',
        receivedAt: new Date().toISOString(),
        verdicts: {},
      }),
    ).toBe('joined');
    expect(requests.items.size).toBe(1);
    expect(workflow.started).toHaveLength(1);
  });

  it('acknowledges a letter joining a request already confirmed without claiming a link was mailed for it', async () => {
    const { mailRequest, intake, lifecycle, mailer } = setup();
    const { request, token } = await mailRequest('ann@example.org', 'm1');
    await lifecycle.links.confirm(request.requestId, token);
    const before = mailer.sent.length;
    expect(await intake.fromMail(germanAccessLetter())).toBe('joined');
    const sent = mailer.sent.slice(before);
    // The acknowledgement is the only mail: no link went out, and it says so for a letter that joins a confirmed request.
    expect(sent.map((m) => m.to)).toEqual(['ann@example.org']);
    const de = messagesFor('de');
    expect(sent[0]!.subject).toBe(de.t('ack.subject'));
    expect(sent[0]!.text).toContain(de.t('ack.joined'));
    expect(sent[0]!.text).toContain(de.t('ack.reference', { ticket: 't2' }));
  });

  it('tells the writer of a letter that joined a confirmed request what became of it, in their language', async () => {
    const { mailRequest, intake, lifecycle, mailer, requests } = setup();
    const { request, token } = await mailRequest('ann@example.org', 'm1');
    await lifecycle.links.confirm(request.requestId, token);
    const joining = germanAccessLetter();
    expect(await intake.fromMail(joining)).toBe('joined');
    // Delivered twice (SES retries): the language is kept once.
    await intake.fromMail(joining);
    expect((await requests.get(request.requestId))!.joinedLanguages).toEqual(['de']);
    const before = mailer.sent.length;

    await lifecycle.clock.extend(request.requestId, 1, 'the export needs a manual review');

    const [extension, ...more] = mailer.sent.slice(before);
    expect(more).toEqual([]);
    const [en, de] = [messagesFor(request.language), messagesFor('de')];
    expect(extension!.subject).toBe(en.t('extension.subject', { requestId: request.requestId }));
    expect(extension!.text).toContain(en.t('extension.law'));
    expect(extension!.text).toContain(de.t('extension.law'));
    expect(extension!.text).toContain(de.t('extension.why', { reason: 'the export needs a manual review' }));
    expect(extension!.headers?.['Content-Language']).toBe('en, de');
  });

  it('asks an API deletion for the mailed link, unless the account password comes with it; a wrong one opens nothing', async () => {
    const { intake, lifecycle, mailer, requests } = setup();
    const linked = await intake.fromApi('acc_a', 'deletion', undefined);
    expect(await lifecycle.mail.begin(linked.request.requestId)).toEqual({ type: 'deletion', confirmed: false });
    expect(mailer.sent.filter((m) => /confirm\?/.test(m.text)).map((m) => m.to)).toEqual(['ann@example.org']);

    await expect(intake.fromApi('acc_b', 'deletion', undefined, 'guess')).rejects.toMatchObject({
      kind: 'forbidden',
      code: 'password_incorrect',
    });
    expect([...requests.items.values()].filter((r) => r.accountId === 'acc_b')).toEqual([]);
    const confirmed = await intake.fromApi('acc_b', 'deletion', undefined, 'acc_b-password');
    expect(confirmed).toMatchObject({ joined: false, confirmedByPassword: true, request: { confirmedBy: 'password' } });
    expect(await lifecycle.mail.begin(confirmed.request.requestId)).toEqual({ type: 'deletion', confirmed: true });
    expect((await requests.get(confirmed.request.requestId))!.history.at(-1)).toMatchObject({
      status: 'confirmed',
      note: expect.stringMatching(/password/),
    });
    expect(mailer.sent.filter((m) => m.to === 'bob@example.org' && /confirm\?/.test(m.text))).toEqual([]);
  });

  it('opens one request when the same right is asked for many times at once: the others join it, none is a second', async () => {
    const { intake, requests, workflow } = setup();
    const answers = await Promise.all(Array.from({ length: 6 }, () => intake.fromApi('acc_a', 'deletion', undefined)));
    const stored = [...requests.items.values()].filter((r) => r.accountId === 'acc_a' && r.type === 'deletion');
    expect(stored).toHaveLength(1);
    expect(new Set(answers.map((a) => a.request.requestId))).toEqual(new Set([stored[0]!.requestId]));
    expect(answers.filter((a) => !a.joined)).toHaveLength(1);
    expect(workflow.started).toEqual([stored[0]!.requestId]);
  });

  it('waits for the open request its claim names while its opener stores it, and never opens a second', async () => {
    const { intake, requests } = setup();
    const store = requests.create.bind(requests);
    let stored = 0;
    // The first opener is slow to store its request (a loaded machine, a throttled write): the others wait for it.
    requests.create = async (request) => {
      if (stored++ === 0) await new Promise((resolve) => setTimeout(resolve, 200));
      return store(request);
    };
    const answers = await Promise.all([intake.fromApi('acc_a', 'access', undefined), intake.fromApi('acc_a', 'access', undefined)]);
    expect([...requests.items.values()].filter((r) => r.type === 'access')).toHaveLength(1);
    expect(answers.map((a) => a.joined).sort()).toEqual([false, true]);
  });

  it('answers 409 when the open request its claim names does not appear in time, rather than opening a second', async () => {
    const { requests, deps } = setup();
    const waits: number[] = [];
    const intake = new PrivacyIntake({ ...deps, sleep: async (ms: number) => void waits.push(ms) });
    // A claim whose opener has not stored its request yet (it is still under way).
    requests.openClaims.set('acc_a#access', 'prq_000000000000000000000000');
    await expect(intake.fromApi('acc_a', 'access', undefined)).rejects.toMatchObject({ kind: 'conflict', code: 'privacy_request_opening' });
    expect(requests.items.size).toBe(0);
    // It waited a few seconds in all, backing off, before it gave up.
    expect(waits.length).toBeGreaterThan(3);
    expect(waits.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(2_000);
  });

  it('opens a new request when the open one it would join has just ended (its claim not yet released)', async () => {
    const { intake, requests } = setup();
    const first = await intake.fromApi('acc_a', 'access', undefined);
    await requests.update(first.request.requestId, {}, { status: 'completed' });
    const second = await intake.fromApi('acc_a', 'access', undefined);
    expect(second.joined).toBe(false);
    expect(second.request.requestId).not.toBe(first.request.requestId);
    expect(requests.openClaims.get('acc_a#access')).toBe(second.request.requestId);
  });

  it('lets an account try the erasure password five times a quarter of an hour, then refuses before checking', async () => {
    const { intake } = setup();
    for (let i = 0; i < 5; i++)
      await expect(intake.fromApi('acc_a', 'deletion', undefined, `guess-${i}`)).rejects.toMatchObject({ code: 'password_incorrect' });
    await expect(intake.fromApi('acc_a', 'deletion', undefined, 'acc_a-password')).rejects.toMatchObject({
      code: 'too_many_password_attempts',
      retryAfterSeconds: expect.any(Number),
    });
  });

  it('answers an unknown sender exactly as a known one, and opens nothing', async () => {
    const { intake, mailer, requests } = setup();
    await intake.fromMail({
      messageId: 'k',
      ticketId: 'tkt_1',
      from: 'ann@example.org',
      replyTo: 'ann@example.org',
      subject: 's',
      text: 'delete my account',
      receivedAt: new Date().toISOString(),
      verdicts: {},
    });
    await intake.fromMail({
      messageId: 'u',
      ticketId: 'tkt_1',
      from: 'who@example.org',
      replyTo: 'who@example.org',
      subject: 's',
      text: 'delete my account',
      receivedAt: new Date().toISOString(),
      verdicts: {},
    });
    const [known, unknown] = [
      mailer.sent.find((m) => m.to === 'ann@example.org' && /received/.test(m.subject))!,
      mailer.sent.find((m) => m.to === 'who@example.org')!,
    ];
    expect([unknown.subject, unknown.text]).toEqual([known.subject, known.text]);
    expect([...requests.items.values()].map((r) => r.email)).toEqual(['ann@example.org']);
  });
});

describe('letters that ask for several rights, or for a restriction', () => {
  const mail = (messageId: string, subject: string, text: string) => ({
    messageId,
    ticketId: `tkt_${messageId}`,
    from: 'ann@example.org',
    replyTo: 'ann@example.org',
    subject,
    text,
    receivedAt: new Date().toISOString(),
    verdicts: {},
  });

  it("opens one request per right a letter asks for, both confirmed by one link in the letter's language, and sends no help list", async () => {
    // Arrange
    const { intake, lifecycle, requests, mailer } = setup();
    // Act
    const outcome = await intake.fromMail(
      mail(
        'two',
        'Löschung und Widerspruch',
        'Ich widerspreche der Nutzung meiner Daten für Werbung. Zudem verlange ich die Löschung meines Kontos nach Art. 17 DSGVO.',
      ),
    );
    for (const r of requests.items.values()) await lifecycle.mail.begin(r.requestId);
    // Assert
    expect(outcome).toBe('opened');
    expect([...requests.items.values()].map((r) => [r.type, r.language]).sort()).toEqual([
      ['deletion', 'de'],
      ['objection', 'de'],
    ]);
    const links = mailer.sent.filter((m) => /confirm\?/.test(m.text));
    expect(links.map((m) => m.to)).toEqual(['ann@example.org']);
    expect(links[0]!.text).toMatch(/Schreiben erhalten, das .* verlangt: Löschung und Widerspruch/);
    expect(links[0]!.text).toContain('Dieser eine Link bestätigt jeden Antrag Ihres Schreibens');
    expect(mailer.sent.some((m) => /How to exercise/.test(m.subject))).toBe(false);
  });

  it('opens nothing new when the same two-right letter is delivered again', async () => {
    // Arrange
    const { intake, requests } = setup();
    const letter = mail('again', 'GDPR', 'I request erasure of my account under Article 17. I also object to any analytics on my data.');
    await intake.fromMail(letter);
    // Act
    const second = await intake.fromMail(letter);
    // Assert
    expect(second).toBe('duplicate');
    expect(requests.items.size).toBe(2);
  });

  it('neither answers nor keeps an automatic reply that reached privacy@ without its headers', async () => {
    // Arrange
    const { intake, mailer, requests } = setup();
    // Act
    const outcome = await intake.fromMail(
      mail(
        'ooo',
        'Automatic reply: Confirm your privacy request',
        'I am out of the office until Monday. Erasure or access requests are handled by my colleague.',
      ),
    );
    // Assert
    expect(outcome).toBe('automatic_reply');
    expect([mailer.sent, requests.items.size, requests.unclear.size]).toEqual([[], 0, 0]);
  });

  it('sends the help list only when a letter asks for nothing recognisable', async () => {
    // Arrange
    const { intake, mailer } = setup();
    // Act
    const outcome = await intake.fromMail(mail('none', 'Pricing', 'What does the enterprise plan cost?'));
    // Assert
    expect(outcome).toBe('help_sent');
    expect(mailer.sent.at(-1)!.text).toMatch(/could not tell which privacy right/);
  });

  it('opens a restriction of processing as an objection that a person handles, switching nothing off', async () => {
    // Arrange
    const { intake, lifecycle, requests, mailer } = setup();
    const { applyObjection } =
      require('../../../lambdas/privacy/domain/objection') as typeof import('../../../lambdas/privacy/domain/objection');
    await intake.fromMail(
      mail('r', 'Einschränkung der Verarbeitung', 'Ich verlange gemäß Art. 18 DSGVO die Einschränkung der Verarbeitung meiner Daten.'),
    );
    const request = [...requests.items.values()][0]!;
    await lifecycle.mail.begin(request.requestId);
    await requests.update(request.requestId, {}, { status: 'in_progress' });
    const optedOut: unknown[] = [];
    // Act
    const optOuts = await applyObjection(request.requestId, {
      requests,
      preferences: { optOut: async (_a: string, o: unknown) => void optedOut.push(o) },
      mailer,
      lifecycle: lifecycle.records,
    });
    // Assert
    expect(request.type).toBe('objection');
    expect(optOuts).toEqual({});
    expect(optedOut).toEqual([]);
    expect((await requests.get(request.requestId))!.status).toBe('needs_manual_action');
    // The letter is German, so is the reply.
    expect(mailer.sent.at(-1)!.text).toMatch(/Einschränkung der Verarbeitung/);
  });

  it("mails an objection's outcome once when the step is retried after the mail went out but before the request closed", async () => {
    // Arrange
    const { intake, lifecycle, requests, mailer } = setup();
    const { applyObjection } =
      require('../../../lambdas/privacy/domain/objection') as typeof import('../../../lambdas/privacy/domain/objection');
    await intake.fromMail(mail('o', 'Objection', 'I object to the processing of my data for analytics (Article 21 GDPR).'));
    const request = [...requests.items.values()][0]!;
    await lifecycle.mail.begin(request.requestId);
    await requests.update(request.requestId, {}, { status: 'in_progress' });
    const update = requests.update.bind(requests);
    let failClose = true;
    requests.update = async (id, changes, transition, at) => {
      if (transition?.status === 'completed' && failClose) {
        failClose = false;
        throw new Error('ProvisionedThroughputExceededException');
      }
      return update(id, changes, transition, at);
    };
    const deps = { requests, preferences: { optOut: async () => {} }, mailer, lifecycle: lifecycle.records };
    const outcomes = () => mailer.sent.filter((m) => m.subject === mailer.sent.at(-1)!.subject);
    // Act: the workflow retries the step that failed after the mail
    await expect(applyObjection(request.requestId, deps)).rejects.toThrow('ProvisionedThroughput');
    await applyObjection(request.requestId, deps);
    // Assert
    expect(outcomes()).toHaveLength(1);
    expect((await requests.get(request.requestId))!.status).toBe('completed');
  });

  it('switches off every marketing topic on an objection to direct marketing, in any language, and says which', async () => {
    // Arrange
    const { intake, lifecycle, requests, mailer } = setup();
    const { applyObjection } =
      require('../../../lambdas/privacy/domain/objection') as typeof import('../../../lambdas/privacy/domain/objection');
    await intake.fromMail(mail('m', 'Opposition', "Je m'oppose au traitement de mes données à des fins de prospection commerciale."));
    const request = [...requests.items.values()][0]!;
    await lifecycle.mail.begin(request.requestId);
    await requests.update(request.requestId, {}, { status: 'in_progress' });
    const optedOut: unknown[] = [];
    // Act
    await applyObjection(request.requestId, {
      requests,
      preferences: { optOut: async (_a: string, o: unknown) => void optedOut.push(o) },
      mailer,
      lifecycle: lifecycle.records,
    });
    // Assert
    expect(optedOut).toEqual([{ productUpdates: false }]);
    // The letter is French, so is the reply.
    expect(mailer.sent.at(-1)!.text).toMatch(/nous avons arrêté : les e-mails sur les nouveautés du produit/);
  });
});

describe('one link for a letter that asks for several rights', () => {
  const letter = (messageId: string, text: string, from = 'ann@example.org') => ({
    messageId,
    ticketId: `tkt_${messageId}`,
    from,
    replyTo: from,
    subject: 'GDPR',
    text,
    receivedAt: new Date().toISOString(),
    verdicts: {},
  });
  const ACCESS_AND_CORRECTION = 'I request access to my personal data under Article 15 GDPR. Please also correct my name to Ann Smith.';

  /** Opens the letter, runs each request's first step and its wait, and returns the requests and the one link. */
  async function openLetter(s: ReturnType<typeof setup>, text = ACCESS_AND_CORRECTION) {
    await s.intake.fromMail(letter('both', text));
    const opened = [...s.requests.items.values()];
    for (const r of opened) {
      await s.lifecycle.mail.begin(r.requestId);
      await s.lifecycle.mail.awaitConfirmation(r.requestId, `task-${r.type}`);
    }
    const links = s.mailer.sent.filter((m) => /confirm\?/.test(m.text));
    const [, requestId, token] = links.at(-1)!.text.match(/request=(\S+)&token=(\S+)/)!;
    return { opened, links, requestId: requestId!, token: decodeURIComponent(token!) };
  }

  /**
   * A second click of the link at the same moment: its write confirms the letter's correction just before this click's
   * does, and `then` is what happened to it next (its workflow moving it on, say).
   */
  function otherClickConfirmsFirst(
    s: ReturnType<typeof setup>,
    correction: string,
    then?: (update: RequestStore['update']) => Promise<unknown>,
  ) {
    const update = s.requests.update.bind(s.requests);
    let raced = false;
    s.requests.update = async (id, changes, transition, at) => {
      if (id === correction && transition?.status === 'confirmed' && !raced) {
        raced = true;
        await update(
          id,
          {},
          { status: 'confirmed', note: "confirmed by the letter's link (the other click)", from: ['awaiting_confirmation'] },
          at,
        );
        await then?.(update);
      }
      return update(id, changes, transition, at);
    };
  }

  it('records the letter on each request, mails one link naming every right, and each request waits on its own clock', async () => {
    // Arrange
    const s = setup();
    // Act
    const { opened, links, requestId } = await openLetter(s);
    // Assert
    const ids = opened.map((r) => r.requestId);
    expect(opened.map((r) => r.type)).toEqual(['access', 'correction']);
    expect(opened.map((r) => r.letter)).toEqual([{ requestIds: ids }, { requestIds: ids }]);
    expect(links).toHaveLength(1);
    expect(requestId).toBe(ids[0]);
    expect(links[0]!.text).toContain(
      `We received a letter asking for access and correction for the OmnAPI account registered to this address (references ${ids[0]} and ${ids[1]})`,
    );
    expect(links[0]!.text).toContain('This one link confirms every request of your letter');
    const second = (await s.requests.get(ids[1]!))!;
    expect(second).toMatchObject({ status: 'awaiting_confirmation', confirmation: { viaRequest: ids[0], expiresAt: expect.any(String) } });
    expect(second.confirmation!.tokenHash).toBeUndefined();
    expect(second.history.at(-1)!.note).toContain(`link mailed with request ${ids[0]}`);
    expect(s.workflow.started).toEqual(ids);
  });

  it('confirms every request of the letter with the one link, resuming each workflow, and a second click confirms nothing', async () => {
    // Arrange
    const s = setup();
    const { opened, requestId, token } = await openLetter(s);
    const described = await s.lifecycle.links.describeLink(requestId, token);
    // Act
    const confirmed = await s.lifecycle.links.confirm(requestId, token);
    // Assert
    expect(described.confirms.map((r) => r.type)).toEqual(['access', 'correction']);
    expect(confirmed.map((r) => [r.type, r.status])).toEqual([
      ['access', 'confirmed'],
      ['correction', 'confirmed'],
    ]);
    expect(s.workflow.resumed.sort()).toEqual(['task-access', 'task-correction']);
    await expect(s.lifecycle.links.confirm(requestId, token)).rejects.toMatchObject({ code: 'link_used' });
    for (const r of opened) {
      const history = (await s.requests.get(r.requestId))!.history.map((h) => h.status);
      expect(history).toEqual(['received', 'awaiting_confirmation', 'confirmed']);
    }
    expect(s.workflow.resumed).toHaveLength(2);
  });

  it('answers every request of the letter from the click that wins, when a simultaneous click of the link confirmed one first', async () => {
    // Arrange: two clicks of the one link at once; the other click's write confirms the correction just before this one's
    const s = setup();
    const { opened, requestId, token } = await openLetter(s);
    const correction = opened.find((r) => r.type === 'correction')!.requestId;
    otherClickConfirmsFirst(s, correction);
    // Act
    const confirmed = await s.lifecycle.links.confirm(requestId, token);
    // Assert: this click's page names both requests the link confirmed, and both workflows go on
    expect(confirmed.map((r) => [r.type, r.status])).toEqual([
      ['access', 'confirmed'],
      ['correction', 'confirmed'],
    ]);
    expect(s.workflow.resumed.sort()).toEqual(['task-access', 'task-correction']);
  });

  it("answers every request of the letter from the click that wins, when the other click's confirmation was already under way", async () => {
    // Arrange: the other click confirmed the correction and resumed its workflow, which moved it on, before this click read it
    const s = setup();
    const { opened, requestId, token } = await openLetter(s);
    const correction = opened.find((r) => r.type === 'correction')!.requestId;
    otherClickConfirmsFirst(s, correction, (update) =>
      update(correction, { taskToken: undefined }, { status: 'in_progress', from: ['confirmed'] }),
    );
    // Act
    const confirmed = await s.lifecycle.links.confirm(requestId, token);
    // Assert: this click's page still names both (the one it confirmed, and the one the link confirmed at the same moment)
    expect(confirmed.map((r) => [r.type, r.status])).toEqual([
      ['access', 'confirmed'],
      ['correction', 'in_progress'],
    ]);
    expect(s.workflow.resumed).toEqual(['task-access']);
  });

  it('answers every request of the letter from the click that wins, when the other click had confirmed the rest before this one read the letter', async () => {
    // Arrange: the other click's write confirmed the correction first (it then lost the link's own request)
    const s = setup();
    const { opened, requestId, token } = await openLetter(s);
    const correction = opened.find((r) => r.type === 'correction')!.requestId;
    await s.requests.update(
      correction,
      {},
      { status: 'confirmed', note: "confirmed by the letter's link (the other click)", from: ['awaiting_confirmation'] },
    );
    // Act
    const confirmed = await s.lifecycle.links.confirm(requestId, token);
    // Assert: this click's page names both; it resumes only the workflow it confirmed itself
    expect(confirmed.map((r) => [r.type, r.status])).toEqual([
      ['access', 'confirmed'],
      ['correction', 'confirmed'],
    ]);
    expect(s.workflow.resumed).toEqual(['task-access']);
  });

  it('confirms a request of the letter whose first step has not run yet: that step then goes straight on', async () => {
    // Arrange
    const s = setup();
    await s.intake.fromMail(letter('early', ACCESS_AND_CORRECTION));
    const [first, second] = [...s.requests.items.values()];
    await s.lifecycle.mail.begin(first!.requestId);
    const [, , token] = s.mailer.sent
      .filter((m) => /confirm\?/.test(m.text))
      .at(-1)!
      .text.match(/request=(\S+)&token=(\S+)/)!;
    // Act
    await s.lifecycle.links.confirm(first!.requestId, decodeURIComponent(token!));
    const begun = await s.lifecycle.mail.begin(second!.requestId);
    // Assert
    expect(begun).toEqual({ type: 'correction', confirmed: true });
    expect((await s.requests.get(second!.requestId))!.status).toBe('confirmed');
  });

  it('never confirms a request the letter joined: it was opened by another mail and keeps its own link', async () => {
    // Arrange
    const s = setup();
    const earlier = await s.mailRequest('ann@example.org', 'earlier', 'Please delete my account.');
    // Act
    await s.intake.fromMail(
      letter(
        'joins',
        'I object to the processing of my personal data for analytics and profiling (Article 21 GDPR).\n\nIn addition, I request the erasure of my account and all associated personal data under Article 17 GDPR.',
      ),
    );
    const objection = [...s.requests.items.values()].find((r) => r.type === 'objection')!;
    await s.lifecycle.mail.begin(objection.requestId);
    const [, requestId, token] = s.mailer.sent
      .filter((m) => /confirm\?/.test(m.text))
      .at(-1)!
      .text.match(/request=(\S+)&token=(\S+)/)!;
    await s.lifecycle.links.confirm(requestId!, decodeURIComponent(token!));
    // Assert
    expect(objection.letter).toBeUndefined();
    expect(requestId).toBe(objection.requestId);
    expect((await s.requests.get(earlier.request.requestId))!.status).toBe('awaiting_confirmation');
    expect((await s.requests.get(objection.requestId))!.status).toBe('confirmed');
  });

  it('mails a fresh link to the registered address when a letter joins a request still waiting for its own', async () => {
    // Arrange: a first letter's request waits for its link; the same holder writes again
    const s = setup();
    const { request, token } = await s.mailRequest('ann@example.org', 'first');
    const intake = new PrivacyIntake({ ...s.deps, confirmations: s.lifecycle.mail });
    const before = s.mailer.sent.length;
    // Act
    const outcome = await intake.fromMail({
      messageId: 'second',
      ticketId: 'tkt_second',
      from: 'ann@example.org',
      replyTo: 'ann@example.org',
      subject: 'GDPR',
      text: 'Please send me a copy of my data',
      receivedAt: s.clock.now().toISOString(),
      verdicts: {},
    });
    // Assert: the acknowledgement says a link went to the registered address, and one did — the same request's
    const links = s.mailer.sent.slice(before).filter((m) => /confirm\?/.test(m.text));
    expect(outcome).toBe('joined');
    expect(s.requests.items.size).toBe(1);
    expect(links.map((m) => m.to)).toEqual(['ann@example.org']);
    const [, requestId, fresh] = links[0]!.text.match(/request=(\S+)&token=(\S+)/)!;
    expect(requestId).toBe(request.requestId);
    await expect(s.lifecycle.links.confirm(request.requestId, token)).rejects.toThrow();
    await s.lifecycle.links.confirm(request.requestId, decodeURIComponent(fresh!));
    expect((await s.requests.get(request.requestId))!.status).toBe('confirmed');
  });

  it('mails one fresh link, not one per request, when a letter joins both requests of an earlier letter', async () => {
    // Arrange: a letter of two rights waits for its one link; the holder sends the same two rights again
    const s = setup();
    const { opened, links: first } = await openLetter(s);
    const intake = new PrivacyIntake({ ...s.deps, confirmations: s.lifecycle.mail });
    const before = s.mailer.sent.length;
    // Act
    expect(await intake.fromMail(letter('again-both', ACCESS_AND_CORRECTION))).toBe('joined');
    // Assert: one link, the letter's, and it is the one that works (each mailing makes the one before stale)
    const links = s.mailer.sent.slice(before).filter((m) => /confirm\?/.test(m.text));
    expect(links).toHaveLength(1);
    const [, requestId, fresh] = links[0]!.text.match(/request=(\S+)&token=(\S+)/)!;
    expect(requestId).toBe(opened[0]!.requestId);
    const [, , stale] = first.at(-1)!.text.match(/request=(\S+)&token=(\S+)/)!;
    await expect(s.lifecycle.links.confirm(requestId!, decodeURIComponent(stale!))).rejects.toThrow();
    await s.lifecycle.links.confirm(requestId!, decodeURIComponent(fresh!));
    for (const r of opened) expect((await s.requests.get(r.requestId))!.status).toBe('confirmed');
  });

  it('opens, mails and starts nothing twice when the letter is delivered again, and starts what a crash left unstarted', async () => {
    // Arrange
    const s = setup();
    const original = letter('again', ACCESS_AND_CORRECTION);
    await s.intake.fromMail(original);
    const sent = s.mailer.sent.length;
    // Act: delivered again (the intake record found), and once more as if intake had failed before recording its outcome
    const again = await s.intake.fromMail(original);
    s.requests.intakes.clear();
    s.workflow.started = [];
    const retried = await s.intake.fromMail(original);
    // Assert
    expect(again).toBe('duplicate');
    expect(retried).toBe('opened');
    expect(s.requests.items.size).toBe(2);
    expect([...s.requests.items.values()].every((r) => r.letter?.requestIds.length === 2)).toBe(true);
    // Started again by name (harmless: Step Functions refuses a second execution of the same name).
    expect(s.workflow.started).toHaveLength(2);
    // The acknowledgement went out with the first delivery: the retry claims it again and sends none.
    expect(s.mailer.sent.length - sent).toBe(0);
  });

  it('reminds once for the letter, naming every right, and expires its requests together with one mail', async () => {
    // Arrange
    const s = setup();
    await openLetter(s);
    // Act
    s.clock.advance(36 * 3600);
    const reminders = await s.lifecycle.mail.sweepConfirmations();
    s.clock.advance(36 * 3600 + 1);
    const expiry = await s.lifecycle.mail.sweepConfirmations();
    // Assert
    expect(reminders).toEqual({ reminded: 1, expired: 0 });
    expect(s.mailer.sent.filter((m) => /^Reminder/.test(m.subject)).map((m) => m.text.match(/asking for ([a-z ]+) for/)?.[1])).toEqual([
      'access and correction',
    ]);
    expect(expiry).toEqual({ reminded: 0, expired: 2 });
    expect([...s.requests.items.values()].map((r) => r.status)).toEqual(['expired', 'expired']);
    const expired = s.mailer.sent.filter((m) => /expired/.test(m.subject));
    expect(expired).toHaveLength(1);
    expect(expired[0]!.text).toContain('(access and correction)');
  });

  it("still confirms the rest of the letter when the link's own request was confirmed by the holder's session", async () => {
    // Arrange
    const s = setup();
    const { opened, requestId, token } = await openLetter(s);
    await s.lifecycle.links.confirmBySession(requestId);
    // Act
    const confirmed = await s.lifecycle.links.confirm(requestId, token);
    // Assert
    expect(confirmed.map((r) => r.type)).toEqual(['access', 'correction']);
    expect((await s.requests.get(opened[1]!.requestId))!.status).toBe('confirmed');
    await expect(s.lifecycle.links.confirm(requestId, token)).rejects.toMatchObject({ code: 'link_used' });
  });
});

describe('export', () => {
  it('has a reader for every table the data map exports, and exports nothing the data map does not', () => {
    const exported = Object.entries(DATA_MAP)
      .filter(([, entry]) => entry.export !== 'none')
      .map(([table]) => table);
    expect([...EXPORTED_TABLES].sort()).toEqual(exported.sort());
    expect(Object.keys(EXPORT_ITEM_SCHEMAS).sort()).toEqual(exported.sort());
  });
});

describe('docs/export-format.md', () => {
  it('is what the export schemas generate (run npm run docs:export-format after changing them)', () => {
    const fs = require('node:fs');
    const { renderExportFormat } = require('../../../lambdas/privacy/export-schema');
    expect(fs.readFileSync(require('node:path').join(__dirname, '..', '..', '..', 'docs', 'export-format.md'), 'utf8')).toBe(
      renderExportFormat(),
    );
  });
});

describe('objection', () => {
  const { optOutsFor } = require('../../../lambdas/privacy/domain/objection');
  it.each([
    ['Please opt me out of analytics', { analytics: false }],
    ['Stop tracking and profiling me', { analytics: false }],
    ['No more product update mail or marketing', { productUpdates: false }],
    ['I object to the processing of my data', { analytics: false, productUpdates: false }],
    [undefined, { analytics: false, productUpdates: false }],
    ['No analytics and no marketing mail', { analytics: false, productUpdates: false }],
    ['Ich widerspreche der Verarbeitung zu Zwecken der Direktwerbung.', { productUpdates: false }],
    ['Mi oppongo alla profilazione dei miei dati.', { analytics: false }],
    ['Sprzeciwiam się przetwarzaniu moich danych w celach marketingu bezpośredniego.', { productUpdates: false }],
  ])('%s → %j', (details, optOuts) => {
    expect(optOutsFor(details)).toEqual(optOuts);
  });
});

describe('correction', () => {
  const { readCorrection, applyCorrection } =
    require('../../../lambdas/privacy/domain/correction') as typeof import('../../../lambdas/privacy/domain/correction');
  it.each([
    ['Please correct my name to Ann Smith.', { name: 'Ann Smith' }, []],
    ['My company should be "Acme GmbH"\ncountry: de', { company: 'Acme GmbH', country: 'DE' }, []],
    ['Hello, change my website to https://acme.example. Thanks!', { website: 'https://acme.example' }, []],
    ['name: Ann\nname: Anne', { name: 'Ann' }, ['name: two different values']],
    ['Change my email to new@example.org', {}, []],
    ['Change my name to Dr. Jane Doe', { name: 'Dr. Jane Doe' }, []],
    ['Please correct my name to John Smith and my company to Acme.', {}, ['name: not one plain value']],
    ['My name is wrong, it should be Jane Doe', {}, ['name: not one plain value']],
    ["Don't change my name to Robert, keep it Bob", {}, ['name: the sentence says not to']],
    ['Change my name to Bob and my email to bob@example.com', {}, [expect.stringContaining('an email address we could not read plainly')]],
    ['email: not-an-address@', {}, [expect.stringContaining('not understood')]],
    ['website: http://x<script>alert(1)</script>', {}, [expect.stringContaining('characters')]],
    ['website: javascript:alert(1)', {}, ['website: not an http(s) address']],
    ['country: Germany', {}, [expect.stringContaining('two-letter')]],
    ['My invoices show the wrong VAT number', {}, [expect.stringContaining('not understood')]],
    ['Please fix my data', {}, [expect.stringContaining('not understood')]],
    [undefined, {}, ['no change we can apply was named']],
  ])('%j → %j', (details, changes, forAPerson) => {
    const { newEmail: _email, ...reading } = readCorrection(details);
    expect(reading).toEqual({ changes, forAPerson });
  });

  it('reads a new email address asked for plainly, lower-cased, and nothing else from that sentence', () => {
    expect(readCorrection('Please change my email address to <Ann.New@Example.org>.')).toEqual({
      changes: {},
      forAPerson: [],
      newEmail: 'ann.new@example.org',
    });
    expect(readCorrection('email: a@example.org\nemail: b@example.org').forAPerson).toEqual(['email: two different values']);
    expect(readCorrection("Don't change my email to x@example.org").newEmail).toBeUndefined();
  });

  async function confirmedCorrection(details: string) {
    const { intake, lifecycle, mailer, requests } = setup();
    const { request } = await intake.fromApi('acc_a', 'correction', details);
    await lifecycle.mail.begin(request.requestId);
    await lifecycle.records.markInProgress(request.requestId);
    const written: unknown[] = [];
    const tokens: { email: string; purpose: string; accountId: string }[] = [];
    const asked: [string, string][] = [];
    const corrector = {
      apply: async (_id: string, changes: object) => (written.push(changes), { name: 'Ann', company: undefined }),
      askEmailChange: async (id: string, email: string) => void asked.push([id, email]),
    };
    const emailLinks = {
      tokens: { put: async (t: { email: string; purpose: string; accountId: string }) => void tokens.push(t) },
      publicUrl: 'https://api.omnapi.test',
      now: () => new Date(),
    };
    const outcome = await applyCorrection(request.requestId, { corrector, mailer, lifecycle: lifecycle.records, emailLinks });
    return {
      outcome,
      written,
      asked,
      tokens,
      sent: mailer.sent,
      mail: mailer.sent.at(-1)!,
      stored: (await requests.get(request.requestId))!,
    };
  }

  it('applies an unambiguous correction, mails what changed from what, and completes the request', async () => {
    const { written, mail, stored } = await confirmedCorrection('Correct my name to Ann Smith\ncompany: Acme');
    expect(written).toEqual([{ name: 'Ann Smith', company: 'Acme' }]);
    expect(mail).toMatchObject({ to: 'ann@example.org', subject: expect.stringMatching(/is applied/) });
    expect(mail.text).toContain('- name: "Ann" → "Ann Smith"');
    expect(stored.status).toBe('completed');
  });

  it('sends a new email address the email-change confirmation link, changing nothing until it is opened', async () => {
    const { written, asked, tokens, sent, stored } = await confirmedCorrection('Change my email to New@Example.org');
    expect(written).toEqual([]);
    // The account records it as the change asked for: only the newest one's link completes a change.
    expect(asked).toEqual([['acc_a', 'new@example.org']]);
    expect(tokens).toEqual([expect.objectContaining({ email: 'new@example.org', purpose: 'change_email', accountId: 'acc_a' })]);
    expect(sent.find((m) => m.to === 'new@example.org')!.text).toMatch(/^https:\/\/api\.omnapi\.test\/verify\?token=\S+$/m);
    expect(sent.at(-1)).toMatchObject({ to: 'ann@example.org', text: expect.stringContaining('we sent a link to new@example.org') });
    expect(stored.status).toBe('completed');
  });

  it('hands anything else to a person, with the request waiting on them and the reason recorded', async () => {
    const { written, tokens, mail, stored } = await confirmedCorrection('My billing address is wrong');
    expect(written).toEqual([]);
    expect(tokens).toEqual([]);
    expect(stored.status).toBe('needs_manual_action');
    expect(stored.history.at(-1)!.note).toMatch(/correction needs a person: not understood/);
    expect(mail.text).toMatch(/A person on our team will handle it/);
  });
});

describe('the legal deadline by jurisdiction', () => {
  const { deadlineFor } = require('../../../lambdas/privacy/domain/model') as typeof import('../../../lambdas/privacy/domain/model');
  const deadlines = { days: 30, byCountry: { BR: 15, US: 45 } };

  it.each([
    ['BR', { days: 15, jurisdiction: 'BR' }],
    ['us', { days: 45, jurisdiction: 'US' }],
    ['DE', { days: 30, jurisdiction: 'default' }],
    [undefined, { days: 30, jurisdiction: 'default' }],
  ])('an account in %s has %j', (country, expected) => {
    expect(deadlineFor(deadlines, country)).toEqual(expected);
  });

  it("dates a new request from its account's country, and says so on its history", async () => {
    const { PrivacyIntake } = require('../../../lambdas/privacy/domain/intake') as typeof import('../../../lambdas/privacy/domain/intake');
    const { requests } = setup();
    const now = new Date('2026-03-01T00:00:00Z');
    const subjects = {
      findByEmail: async () => undefined,
      get: async (id: string) => ({ accountId: id, email: 'x@example.org', name: 'X', country: 'BR' }),
      passwordMatches: async () => false,
    };
    const workflow = { start: async () => undefined, resume: async () => undefined, fail: async () => undefined };
    const counter = { increment: async () => 1 };
    const intake = new PrivacyIntake({
      requests,
      subjects,
      workflow,
      mailer: { send: async () => undefined },
      counter,
      publicUrl: 'https://x',
      linkLifeHours: 72,
      deadlines,
      now: () => now,
    } as never);
    const { request } = await intake.fromApi('acc_br', 'access', undefined);
    expect(request.dueAt).toBe('2026-03-16T00:00:00.000Z');
    expect(request.history[0]!.note).toMatch(/answer within 15 days \(deadline for BR\)/);
  });
});

describe('deletion: what it costs, told before it is confirmed; its cancellation, confirmed by mail', () => {
  const withTerms = (paidMicro: number) => setup(paidMicro);

  it('names the paid credits lost and the cooling-off in the confirmation mail, in the request language, and gives them to the page', async () => {
    const { lifecycle, intake, requests, mailer, clock } = withTerms(1_250_500_000);
    await intake.fromMail({
      messageId: 'd1',
      ticketId: 'tkt_d1',
      from: 'ann@example.org',
      replyTo: 'ann@example.org',
      subject: 'Konto löschen',
      text: 'Bitte löschen Sie mein Konto.',
      receivedAt: clock.now().toISOString(),
      verdicts: {},
    });
    const request = [...requests.items.values()].find((r) => r.ticketId === 'tkt_d1')!;
    expect(request.type).toBe('deletion');
    await lifecycle.mail.begin(request.requestId);
    const mail = mailer.sent.at(-1)!;
    expect(mail.text).toContain('Auf dem Konto sind noch 1250.5 bezahlte Credits');
    expect(mail.text).toContain('wartet die Löschung 24 Stunden');
    expect(mail.text).toMatch(/https:\/\/api\.omnapi\.test\/privacy\/confirm\?request=prq_\w+&token=\S+/);
    const warning = await lifecycle.deletionWarning(
      (await requests.get(request.requestId))!,
      (await import('../../../lambdas/privacy/messages')).messagesFor('en'),
    );
    expect(warning).toEqual({
      paidCredits: '1250.5',
      coolingOffHours: 24,
      lines: [expect.stringContaining('1250.5 paid credits'), expect.stringContaining('24 hours')],
    });
  });

  it('says nothing of credits when none were paid for, and nothing at all for other requests', async () => {
    const { lifecycle, mailRequest } = withTerms(0);
    const { messagesFor } = await import('../../../lambdas/privacy/messages');
    const { request } = await mailRequest('ann@example.org', 'm1', 'Delete my account');
    expect((await lifecycle.deletionWarning(request, messagesFor('en')))!.lines).toEqual([expect.stringContaining('waits 24 hours')]);
    const access = await mailRequest('bob@example.org', 'm2');
    expect(await lifecycle.deletionWarning(access.request, messagesFor('en'))).toBeUndefined();
  });

  it('mails the registered address when the cooling-off is cancelled, with the privacy centre to ask again', async () => {
    const { lifecycle, mailRequest, requests, mailer, workflow } = withTerms(0);
    const { request } = await mailRequest('ann@example.org', 'm1', 'Delete my account');
    await requests.update(
      request.requestId,
      { cancelTokenHash: (await import('../../../lambdas/shared/crypto')).sha256('cancel-token-0123456789'), taskToken: 'wait-1' },
      { status: 'in_progress' },
    );
    await lifecycle.links.cancel(request.requestId, 'cancel-token-0123456789');
    expect(workflow.failed).toEqual([{ token: 'wait-1', error: 'RequestCancelled' }]);
    expect(mailer.sent.at(-1)).toMatchObject({
      to: 'ann@example.org',
      subject: 'Deletion cancelled',
      text: expect.stringContaining('https://api.omnapi.test/privacy'),
    });
    await expect(lifecycle.links.cancel(request.requestId, 'cancel-token-0123456789')).rejects.toMatchObject({ code: 'link_closed' });
  });
});

describe('an export delivered once', () => {
  /** A confirmed access request whose archive is built, waiting for its link to be mailed. */
  async function builtExport() {
    const s = setup();
    const { request } = await s.mailRequest('ann@example.org', 'export-once');
    await s.requests.update(request.requestId, {
      status: 'in_progress',
      export: { key: 'exports/x.zip', bytes: 2048, files: { 'data.json': 2048 }, expiresAt: '2027-01-01T00:00:00.000Z' },
    });
    const steps = new ExportSteps({ ...s.deps, exports: {} as never });
    const linkMails = () =>
      s.mailer.sent.filter((m) => m.to === 'ann@example.org' && /download|token=/i.test(m.text) && !/confirm\?/.test(m.text));
    return { ...s, request, steps, linkMails };
  }

  it('mails the download link once when the step is retried after the mail went out but before the request was closed', async () => {
    const { requests, request, steps, linkMails } = await builtExport();
    const update = requests.update.bind(requests);
    let failClose = true;
    requests.update = async (id, changes, transition, at) => {
      if (transition?.status === 'completed' && failClose) {
        failClose = false;
        throw new Error('ProvisionedThroughputExceededException');
      }
      return update(id, changes, transition, at);
    };
    await expect(steps.deliverExport(request.requestId)).rejects.toThrow('ProvisionedThroughput');
    await steps.deliverExport(request.requestId);
    expect(linkMails()).toHaveLength(1);
    expect((await requests.get(request.requestId))!.status).toBe('completed');
  });

  it('mails the link on the retry when SES refused the first send', async () => {
    const { mailer, requests, request, steps, linkMails } = await builtExport();
    const send = mailer.send.bind(mailer);
    let refuse = true;
    mailer.send = async (mail) => {
      if (refuse) {
        refuse = false;
        throw Object.assign(new Error('Throttling'), { $metadata: { httpStatusCode: 400 } });
      }
      return send(mail);
    };
    await expect(steps.deliverExport(request.requestId)).rejects.toThrow('Throttling');
    expect((await requests.get(request.requestId))!.export?.downloadTokenHash).toBeUndefined();
    await steps.deliverExport(request.requestId);
    expect(linkMails()).toHaveLength(1);
    expect((await requests.get(request.requestId))!.status).toBe('completed');
  });
});
