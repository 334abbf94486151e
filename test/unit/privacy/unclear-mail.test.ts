import { DynamoDbRequests } from '../../../lambdas/privacy/adapters/dynamodb-requests';
import { PrivacyIntake } from '../../../lambdas/privacy/domain/intake';
import { LegalClock } from '../../../lambdas/privacy/domain/legal-clock';
import type { Subject } from '../../../lambdas/privacy/domain/ports';
import { DynamoDbWindowCounter } from '../../../lambdas/shared/adapters/dynamodb-counter';
import type { PrivacyMailReceived } from '../../../lambdas/shared/privacy-mail';
import { MemoryMailer } from '../../helpers/memory-accounts';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';

/** Privacy mail no right could be read from: on the clock, listed, and opened by an operator's reading. */
describe('unclear privacy mail', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(() => dynamo.stop());

  const ann: Subject = { accountId: 'acc_ann', email: 'ann@example.org', name: 'Ann', country: 'BR' };
  function setup(now: () => Date) {
    const requests = new DynamoDbRequests(dynamo.client, 'privacyRequests');
    const started: string[] = [];
    const deps = {
      requests,
      subjects: {
        findByEmail: async (e: string) => (e === ann.email ? ann : undefined),
        get: async (id: string) => (id === ann.accountId ? ann : undefined),
        passwordMatches: async () => false,
      },
      workflow: {
        start: async (r: { requestId: string }) => void started.push(r.requestId),
        resume: async () => 'delivered' as const,
        fail: async () => 'delivered' as const,
      },
      mailer: new MemoryMailer(),
      counter: new DynamoDbWindowCounter(dynamo.client, 'privacyRequests'),
      publicUrl: 'https://api.omnapi.test',
      linkLifeHours: 72,
      reminderAfterHours: 36,
      deadlines: { days: 30, byCountry: { BR: 15 } },
      now,
    };
    return { intake: new PrivacyIntake(deps), clock: new LegalClock(deps), requests, started, mailer: deps.mailer };
  }
  const mail = (ticketId: string, from: string, text: string, receivedAt: string): PrivacyMailReceived =>
    ({
      messageId: `msg-${ticketId}`,
      ticketId,
      from,
      replyTo: from,
      subject: 'About my account',
      text,
      receivedAt,
      verdicts: { spf: 'PASS', dkim: 'PASS', spam: 'PASS', virus: 'PASS' },
    }) as PrivacyMailReceived;

  it("keeps it with a deadline in the sender's jurisdiction and counts it on the clock until it is classified", async () => {
    const received = '2026-12-01T10:00:00.000Z';
    const { intake, clock, requests, started, mailer } = setup(() => new Date('2026-12-13T10:00:00Z'));
    expect(await intake.fromMail(mail('tkt_1', ann.email, 'I am not happy with what you do with my stuff. Sort it out.', received))).toBe(
      'help_sent',
    );
    expect(mailer.sent.map((m) => m.subject)).toEqual(['How to exercise your privacy rights']);
    const [unclear] = await requests.openUnclear();
    expect(unclear).toMatchObject({
      ticketId: 'tkt_1',
      from: ann.email,
      dueAt: '2026-12-16T10:00:00.000Z',
      status: 'open',
      why: expect.stringContaining('Sort it out'),
    });
    // Twelve of fifteen days gone: nearing its deadline, and waiting on us for over a day.
    expect(await clock.checkClock()).toMatchObject({ nearing: ['tkt_1'], stuck: ['tkt_1'] });

    const { outcome, requestIds } = await intake.classifyUnclear('tkt_1', ['deletion'], 'operator-1');
    expect(outcome).toBe('classified');
    const request = await requests.get(requestIds[0]!);
    // The request runs from the mail's arrival, with the deadline it already had.
    expect(request).toMatchObject({
      type: 'deletion',
      accountId: ann.accountId,
      receivedAt: received,
      dueAt: '2026-12-16T10:00:00.000Z',
      channel: 'mail',
      ticketId: 'tkt_1',
    });
    expect(started).toEqual(requestIds);
    expect(await requests.openUnclear()).toEqual([]);
    await expect(intake.classifyUnclear('tkt_1', ['access'], 'operator-2')).rejects.toThrow(/already classified/);
  });

  it('tells the writer of a letter in a language we do not read that a person answers it, by a date that does not tell whether they have an account', async () => {
    const { intake, requests, mailer } = setup(() => new Date('2026-12-02T10:00:00Z'));
    const georgian = 'გამარჯობა, გთხოვთ წაშალოთ ჩემი ანგარიში. მადლობა.';
    expect(await intake.fromMail(mail('tkt_4', ann.email, georgian, '2026-12-02T09:00:00.000Z'))).toBe('help_sent');
    expect(await intake.fromMail(mail('tkt_5', 'nobody@example.org', georgian, '2026-12-02T09:00:00.000Z'))).toBe('help_sent');
    const [toAnn, toNobody] = mailer.sent;
    // English, saying which language we do not write, that a person reads it, and the stage's default deadline for both.
    expect(toAnn!.text).toContain('You wrote to us in Georgian. We answer in English because we do not yet write Georgian.');
    expect(toAnn!.text).toContain(
      'A person on our privacy team reads every message we cannot read automatically, in any language, and answers by January 1, 2027 at 09:00 UTC at the latest.',
    );
    expect(toNobody!.text).toBe(toAnn!.text);
    // The operator works to the sender's own (shorter) deadline, never a later one than the reply promised.
    expect(await requests.getUnclear('tkt_4')).toMatchObject({ language: 'ka', dueAt: '2026-12-17T09:00:00.000Z' });
    expect(await requests.getUnclear('tkt_5')).toMatchObject({ language: 'ka', dueAt: '2027-01-01T09:00:00.000Z' });
  });

  it('tells a letter sent as an attachment we could not read (a scan) so, and the operator which file holds it', async () => {
    const { intake, requests, mailer } = setup(() => new Date('2026-12-02T10:00:00Z'));
    const letter = {
      ...mail('tkt_3', ann.email, 'Please see the attached letter.', '2026-12-02T09:00:00.000Z'),
      attachments: ['Brief.pdf'],
    };
    expect(await intake.fromMail(letter)).toBe('help_sent');
    expect(mailer.sent[0]!.text).toContain('We could not read the attached files (Brief.pdf)');
    expect(await requests.getUnclear('tkt_3')).toMatchObject({ why: expect.stringContaining('attached, not read: Brief.pdf') });
  });

  it('closes mail from an address with no account without opening anything', async () => {
    const { intake, requests } = setup(() => new Date('2026-12-02T10:00:00Z'));
    await intake.fromMail(mail('tkt_2', 'stranger@example.net', 'hello?', '2026-12-02T09:00:00.000Z'));
    expect(await intake.classifyUnclear('tkt_2', ['access'], 'operator-1')).toEqual({ outcome: 'no_account', requestIds: [] });
    expect(await requests.getUnclear('tkt_2')).toMatchObject({
      status: 'dismissed',
      outcome: { by: 'operator-1', note: expect.stringMatching(/no account/) },
    });
  });
});
