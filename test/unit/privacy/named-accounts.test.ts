import { DynamoDbRequests } from '../../../lambdas/privacy/adapters/dynamodb-requests';
import { MAX_NAMED_ACCOUNTS, namedAddresses, PrivacyIntake, requestIdForMessage } from '../../../lambdas/privacy/domain/intake';
import type { Subject } from '../../../lambdas/privacy/domain/ports';
import { DynamoDbWindowCounter } from '../../../lambdas/shared/adapters/dynamodb-counter';
import type { PrivacyMailReceived } from '../../../lambdas/shared/privacy-mail';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';
import { MemoryMailer } from '../../helpers/memory-accounts';

/** A letter written from one address about the account of another: found by the address it names, confirmed only by that account's holder. */
describe('a letter that names an account address other than its sender', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(() => dynamo.stop());

  const account = (id: string, email: string): Subject => ({ accountId: id, email, name: id, country: 'DE' });
  const anna = account('acc_anna', 'anna@work.example');
  const bert = account('acc_bert', 'bert@example.org');
  const dora = account('acc_dora', 'dora@example.org');
  const emil = account('acc_emil', 'emil@example.org');
  const joerg = account('acc_joerg', 'joerg@xn--bcher-kva.de');
  const others = ['c1', 'c2', 'c3', 'c4'].map((id) => account(`acc_${id}`, `${id}@example.net`));
  const accounts = [anna, bert, dora, emil, joerg, ...others];

  function setup() {
    const requests = new DynamoDbRequests(dynamo.client, 'privacyRequests');
    const started: { requestId: string; accountId: string; email: string }[] = [];
    const mailer = new MemoryMailer();
    const intake = new PrivacyIntake({
      requests,
      subjects: {
        findByEmail: async (e: string) => accounts.find((a) => a.email === e),
        get: async (id: string) => accounts.find((a) => a.accountId === id),
        passwordMatches: async () => false,
      },
      workflow: {
        start: async (r: { requestId: string; accountId: string; email: string }) => void started.push(r),
        resume: async () => 'delivered' as const,
        fail: async () => 'delivered' as const,
      },
      mailer,
      counter: new DynamoDbWindowCounter(dynamo.client, 'privacyRequests'),
      publicUrl: 'https://api.omnapi.test',
      linkLifeHours: 72,
      ownDomain: 'omnapi.test',
      now: () => new Date('2026-12-02T10:00:00Z'),
    });
    return { intake, requests, started, mailer };
  }
  let n = 0;
  const mail = (from: string, subject: string, text: string): PrivacyMailReceived => {
    n += 1;
    return {
      messageId: `named-${n}`,
      ticketId: `tkt_named_${n}`,
      from,
      replyTo: from,
      subject,
      text,
      receivedAt: '2026-12-02T09:00:00.000Z',
      verdicts: { spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' },
    };
  };

  it('opens the request for the account whose address the letter names when the sender has none', async () => {
    const { intake, requests, started, mailer } = setup();
    const letter = mail(
      'anna.private@mail.example',
      'Data access',
      'Hello,\n\nI am writing from my private address. My OmnAPI account is registered as anna@work.example.\nPlease send me a copy of my personal data.\n\nAnna',
    );
    expect(await intake.fromMail(letter)).toBe('opened');
    const request = await requests.get(requestIdForMessage(letter.messageId));
    // Confirmed through the registered address only: the sender's address gets the neutral reply and nothing else.
    expect(request).toMatchObject({ type: 'access', accountId: anna.accountId, email: anna.email });
    expect(started.map((s) => s.email)).toEqual([anna.email]);
    expect(mailer.sent.map((m) => m.to)).toEqual(['anna.private@mail.example']);
  });

  it('finds the account of an internationalised address however the letter spells it: from its sender, or named in it', async () => {
    const { intake, started } = setup();
    await intake.fromMail(mail('Joerg@BÜCHER.de', 'Auskunft', 'Bitte senden Sie mir eine Kopie meiner Daten.'));
    expect(started.map((s) => [s.accountId, s.email])).toEqual([[joerg.accountId, joerg.email]]);
    expect(namedAddresses('Mein Konto: joerg@Bücher.de.', 'omnapi.test')).toEqual([joerg.email]);
  });

  it('opens it for the named account and the sender’s own, each confirmed by its own holder, when the sender has an account too', async () => {
    const { intake, started } = setup();
    await intake.fromMail(mail(bert.email, 'Close my old account', 'Please delete my old account anna@work.example and all its data.'));
    // Bert's request is never lost to a mention; each holder confirms (or ignores) only their own.
    expect(started.map((s) => [s.accountId, s.email])).toEqual([
      [bert.accountId, bert.email],
      [anna.accountId, anna.email],
    ]);
  });

  it('opens it for the sender’s account as well when the letter names both', async () => {
    const { intake, started } = setup();
    await intake.fromMail(mail(dora.email, 'Erasure', 'Please erase both of my accounts: dora@example.org and emil@example.org.'));
    expect(started.map((s) => s.accountId)).toEqual([dora.accountId, emil.accountId]);
  });

  it('reads the addresses of a correction as values: the sender’s account is corrected', async () => {
    const { intake, started } = setup();
    await intake.fromMail(mail(bert.email, 'Wrong e-mail', 'Please correct my e-mail address to anna@work.example.'));
    expect(started.map((s) => s.accountId)).toEqual([bert.accountId]);
  });

  it(`opens requests for at most ${MAX_NAMED_ACCOUNTS} named accounts, and never for our own addresses`, async () => {
    const { intake, started } = setup();
    await intake.fromMail(
      mail(
        'someone@elsewhere.example',
        'Delete accounts',
        `Copy to privacy@omnapi.test. Please delete the accounts ${others.map((o) => o.email).join(', ')}.`,
      ),
    );
    expect(started.map((s) => s.accountId)).toEqual(others.slice(0, MAX_NAMED_ACCOUNTS).map((o) => o.accountId));
  });

  it('finds addresses as people write them: in angle brackets, at a sentence’s end, in any case', () => {
    expect(namedAddresses('Account: <Anna@Work.Example>. Also old-me@example.org. Ours: help@omnapi.test', 'omnapi.test')).toEqual([
      'anna@work.example',
      'old-me@example.org',
    ]);
  });
});
