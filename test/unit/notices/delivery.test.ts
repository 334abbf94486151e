import { exclusionOf, parseSegment } from '../../../lambdas/notices/domain/audience';
import { noticeMail, type NoticeSender } from '../../../lambdas/notices/domain/compose';
import { deliverNotice, type DeliverDeps } from '../../../lambdas/notices/domain/deliver';
import { checkUnsubscribe, signUnsubscribe, UNSUBSCRIBE_LINK_DAYS, unsubscribeLinks } from '../../../lambdas/notices/domain/links';
import {
  type DeliveryOutcome,
  deliveryKeyOf,
  type NoticeDelivery,
  type NoticeJob,
  type NoticeStore,
  type Recipient,
} from '../../../lambdas/notices/domain/model';
import { MARKETING_TOPICS, optOutsFor } from '../../../lambdas/privacy/domain/objection';
import type { OutgoingMail } from '../../../lambdas/shared/mailer';
import { NOTICE_TOPICS } from '../../../lambdas/shared/notice-topics';
import type { SuppressionList } from '../../../lambdas/shared/suppressions';

/** The store's contract in memory: a claim succeeds once per recipient, whatever happened to it before. */
class MemoryNotices implements NoticeStore {
  jobs = new Map<string, NoticeJob>();
  records = new Map<string, DeliveryOutcome>();
  async get(id: string) {
    return this.jobs.get(id);
  }
  async createIfAbsent(job: NoticeJob) {
    if (this.jobs.has(job.noticeId)) return false;
    this.jobs.set(job.noticeId, job);
    return true;
  }
  async claim(noticeId: string, accountId: string, at: string) {
    const key = deliveryKeyOf(noticeId, accountId);
    if (this.records.has(key)) return false;
    this.records.set(key, { outcome: 'claimed', at });
    return true;
  }
  async settle(noticeId: string, accountId: string, outcome: DeliveryOutcome) {
    this.records.set(deliveryKeyOf(noticeId, accountId), outcome);
  }
  async release(noticeId: string, accountId: string) {
    if (this.records.get(deliveryKeyOf(noticeId, accountId))?.outcome === 'claimed')
      this.records.delete(deliveryKeyOf(noticeId, accountId));
  }
  async progress() {
    const counts = { sent: 0, skipped: 0, claimed: 0 };
    for (const r of this.records.values()) counts[r.outcome]++;
    return counts;
  }
  async handled() {
    return new Set(this.records.keys());
  }
}

class CountingMailer {
  sent: OutgoingMail[] = [];
  failNext: (() => Error) | undefined;
  async send(mail: OutgoingMail) {
    const fail = this.failNext;
    this.failNext = undefined;
    if (fail) throw fail();
    this.sent.push(mail);
  }
}

const keys = {
  current: 2,
  keys: new Map([
    [1, 'old-key-'.repeat(5)],
    [2, 'new-key-'.repeat(5)],
  ]),
};
const sender: NoticeSender = {
  transactionalFrom: 'no-reply@omnapi.com',
  subscriptionFrom: 'notices@omnapi.com',
  mailDomain: 'omnapi.com',
  unsubscribeLinks: (id, sentAt) => unsubscribeLinks('https://api.omnapi.com', keys, id, 'deprecation', sentAt),
};
const job = (topic: NoticeJob['topic'], noticeId = 'ntc_000000000000000000000001'): NoticeJob => ({
  noticeId,
  topic,
  subject: 'v1 ends',
  body: 'v1 ends in June.',
  segment: {},
  createdAt: '2026-12-05T12:00:00Z',
  createdBy: 'ops',
  recipients: 0,
  excluded: {},
});
const person = (i: number, extra: Partial<Recipient> = {}): Recipient => ({
  accountId: `acc_${String(i).padStart(24, '0')}`,
  email: `p${i}@example.org`,
  name: `P${i}`,
  emailVerified: true,
  plan: 'free',
  preferences: {},
  ...extra,
});

function depsFor(recipients: Map<string, Recipient>, suppressed = new Set<string>()) {
  const notices = new MemoryNotices();
  const mailer = new CountingMailer();
  const suppressions: SuppressionList = { isSuppressed: async (a) => suppressed.has(a), suppress: async (a) => void suppressed.add(a) };
  const deps: DeliverDeps = {
    notices,
    recipients: { get: async (id) => recipients.get(id) },
    suppressions,
    mailer,
    sender,
    now: () => new Date('2026-12-05T12:00:00Z'),
  };
  return { deps, notices, mailer };
}

describe('notice delivery', () => {
  it('sends each of 10,000 recipients exactly once across a send killed half way, redelivered messages and a resume', async () => {
    // Arrange
    const everyone = new Map(Array.from({ length: 10_000 }, (_, i) => [person(i).accountId, person(i)] as const));
    const { deps, notices, mailer } = depsFor(everyone);
    const the = job('deprecation');
    await notices.createIfAbsent(the);
    const queue: NoticeDelivery[] = [...everyone.keys()].map((accountId) => ({ noticeId: the.noticeId, accountId }));

    // Act: the first run dies after 4,321 messages — a claim made, its message never deleted, so SQS hands it out again.
    for (const message of queue.slice(0, 4_321)) await deliverNotice(message, deps);
    await notices.claim(the.noticeId, queue[4_321]!.accountId, 'now'); // the killed sender's last claim, mail unsent
    // SQS redelivers the unfinished batch, and the operator resumes: everyone not handled is queued again too.
    const handled = await notices.handled();
    const resumed = queue.filter((m) => !handled.has(deliveryKeyOf(m.noticeId, m.accountId)));
    for (const message of [...queue.slice(4_300, 4_330), ...resumed, ...queue.slice(9_990)]) await deliverNotice(message, deps);

    // Assert
    const perAddress = new Map<string, number>();
    for (const mail of mailer.sent) perAddress.set(mail.to, (perAddress.get(mail.to) ?? 0) + 1);
    expect([...perAddress.values()].every((n) => n === 1)).toBe(true);
    expect(await notices.progress()).toEqual({ sent: 9_999, skipped: 0, claimed: 1 });
    expect(perAddress.has(everyone.get(queue[4_321]!.accountId)!.email)).toBe(false);
  });

  it('gives a claim back when SES answered with an error, so the retry sends; keeps it when SES never answered', async () => {
    const recipients = new Map([person(1), person(2)].map((p) => [p.accountId, p] as const));
    const { deps, notices, mailer } = depsFor(recipients);
    await notices.createIfAbsent(job('security'));
    mailer.failNext = () => Object.assign(new Error('Throttling'), { $metadata: { httpStatusCode: 400 } });
    await expect(deliverNotice({ noticeId: job('security').noticeId, accountId: person(1).accountId }, deps)).rejects.toThrow('Throttling');
    await expect(deliverNotice({ noticeId: job('security').noticeId, accountId: person(1).accountId }, deps)).resolves.toBe('sent');

    mailer.failNext = () => new Error('socket hang up');
    await expect(deliverNotice({ noticeId: job('security').noticeId, accountId: person(2).accountId }, deps)).rejects.toThrow(
      'socket hang up',
    );
    await expect(deliverNotice({ noticeId: job('security').noticeId, accountId: person(2).accountId }, deps)).resolves.toBe('duplicate');
    expect(mailer.sent.map((m) => m.to)).toEqual(['p1@example.org']);
  });

  it('reads preferences and the suppression list at send time: a preference switched off or an address bounced meanwhile gets nothing', async () => {
    const off = person(1, { preferences: { deprecationNotices: false } });
    const bounced = person(2);
    const recipients = new Map([off, bounced, person(3)].map((p) => [p.accountId, p] as const));
    const { deps, notices, mailer } = depsFor(recipients, new Set([bounced.email]));
    await notices.createIfAbsent(job('deprecation'));
    const results = [];
    for (const p of [off, bounced, person(3), person(4)])
      results.push(await deliverNotice({ noticeId: job('deprecation').noticeId, accountId: p.accountId }, deps));
    expect(results).toEqual(['skipped', 'skipped', 'sent', 'skipped']);
    expect([...notices.records.values()].filter((r) => r.outcome === 'skipped').map((r) => (r as { why: string }).why)).toEqual([
      'opted_out',
      'suppressed',
      'gone',
    ]);
    expect(mailer.sent.map((m) => m.to)).toEqual(['p3@example.org']);
  });
});

/** The stage's rate-limit plans (the stack output Plans). */
const PLANS = ['free', 'pro', 'scale'];

describe('who a notice is for', () => {
  it('sends mandatory topics to every verified account whatever its preferences, optional ones only where allowed', () => {
    const optedOutOfAll = person(1, { preferences: { productUpdates: false, deprecationNotices: false, analytics: false } });
    expect(['security', 'billing', 'service'].map((t) => exclusionOf(optedOutOfAll, t as NoticeJob['topic'], {}, false))).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(exclusionOf(optedOutOfAll, 'product', {}, false)).toBe('opted_out');
    expect(exclusionOf(optedOutOfAll, 'deprecation', {}, false)).toBe('opted_out');
    // Unset preferences take the topic's default: product updates are opt-in, the deprecation digest opt-out.
    expect(exclusionOf(person(2), 'product', {}, false)).toBe('opted_out');
    expect(exclusionOf(person(2), 'deprecation', {}, false)).toBeUndefined();
    expect(exclusionOf(person(3, { emailVerified: false }), 'security', {}, false)).toBe('unverified');
    expect(exclusionOf(person(4), 'security', {}, true)).toBe('suppressed');
    expect(exclusionOf(person(5, { plan: 'pro' }), 'billing', parseSegment('plan=pro', PLANS), false)).toBeUndefined();
    expect(exclusionOf(person(6), 'billing', parseSegment('plan=pro', PLANS), false)).toBe('not_in_segment');
    expect(() => parseSegment('country=DE', PLANS)).toThrow(/plan=<plan>/);
  });

  it('refuses a segment naming a plan the stage does not have, naming those it has', () => {
    // A typo would otherwise send to nobody, and the dry run would only say everyone is "outside the segment".
    expect(() => parseSegment('plan=porn', PLANS)).toThrow('--segment plan=porn: no such plan; the plans are free, pro, scale');
    expect(() => parseSegment('plan=constructor', PLANS)).toThrow(/no such plan/);
    expect(parseSegment(' plan=scale ', PLANS)).toEqual({ plan: 'scale' });
    expect(parseSegment(undefined, PLANS)).toEqual({});
  });
});

describe('notice mail', () => {
  const sentAt = new Date('2026-12-05T12:00:00Z');
  const exp = Date.parse('2026-12-05T12:00:00Z') / 1000 + 90 * 86_400;

  it('an optional topic comes from the subscription address with RFC 8058 headers, and its text links to the console page', () => {
    const mail = noticeMail(job('deprecation'), person(7), sender, sentAt);
    expect(mail.from).toBe('notices@omnapi.com');
    expect(mail.headers).toMatchObject({
      'List-Id': 'Deprecation digest <deprecation.notices.omnapi.com>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
    // Mail clients POST to the API; a person reading the text lands on the console's page.
    expect(mail.headers?.['List-Unsubscribe']).toMatch(
      new RegExp(
        `^<https://api\\.omnapi\\.com/v1/notices/unsubscribe\\?account=acc_0+7&topic=deprecation&exp=${exp}&sig=v2\\.[0-9a-f]{64}>$`,
      ),
    );
    expect(mail.text).toMatch(
      new RegExp(
        `To stop them, open https://api\\.omnapi\\.com/notices/unsubscribe\\?account=acc_0+7&topic=deprecation&exp=${exp}&sig=v2\\.`,
      ),
    );
    expect(mail.text).toContain('the link works until 2027-03-05');
    expect(mail.text).not.toContain('/v1/');
  });

  it('a mandatory topic comes from the transactional address with no unsubscribe header, and says why', () => {
    const mail = noticeMail(job('billing'), person(8), sender, sentAt);
    expect(mail.from).toBe('no-reply@omnapi.com');
    expect(mail.headers).toEqual({ 'List-Id': 'Billing notices <billing.notices.omnapi.com>' });
    expect(mail.text).toMatch(/cannot be turned off: they concern the money on your account/);
  });
});

describe('unsubscribe links', () => {
  const now = new Date('2026-12-05T12:00:00Z');
  const exp = Math.floor(now.getTime() / 1000) + 3600;
  const link = (over: Partial<{ account: string; topic: string; exp: number; sig: string }> = {}) => ({
    account: 'acc_a',
    topic: 'product',
    exp,
    sig: signUnsubscribe(keys, 'acc_a', 'product', exp),
    ...over,
  });

  it('hold for their own account, topic and expiry only, under any key version kept', () => {
    expect(checkUnsubscribe(keys, link(), now)).toBe('valid');
    expect(checkUnsubscribe(keys, link({ account: 'acc_b' }), now)).toBe('invalid');
    expect(checkUnsubscribe(keys, link({ topic: 'deprecation' }), now)).toBe('invalid');
    const older = signUnsubscribe({ ...keys, current: 1 }, 'acc_a', 'product', exp);
    expect(checkUnsubscribe(keys, link({ sig: older }), now)).toBe('valid');
    expect(checkUnsubscribe({ current: 2, keys: new Map([[2, keys.keys.get(2)!]]) }, link({ sig: older }), now)).toBe('invalid');
    expect(checkUnsubscribe(keys, link({ sig: 'v2.zz' }), now)).toBe('invalid');
    expect(checkUnsubscribe(keys, link({ sig: `v9.${'0'.repeat(64)}` }), now)).toBe('invalid');
  });

  it('expire at their stated time, and a lengthened expiry is a forgery, not an old link', () => {
    expect(checkUnsubscribe(keys, link(), new Date(exp * 1000 - 1))).toBe('valid');
    expect(checkUnsubscribe(keys, link(), new Date(exp * 1000))).toBe('expired');
    // Someone pushes the expiry of a link that ran out: the signature no longer holds.
    expect(checkUnsubscribe(keys, link({ exp: exp + 86_400 * 365 }), new Date(exp * 1000 + 1))).toBe('invalid');
  });

  it(`work for ${UNSUBSCRIBE_LINK_DAYS} days after the notice was sent, on the console page and the one-click URL alike`, () => {
    const links = unsubscribeLinks('https://console.example/', keys, 'acc_a', 'product', now);
    expect(links.expiresAt).toEqual(new Date(now.getTime() + UNSUBSCRIBE_LINK_DAYS * 86_400_000));
    const page = new URL(links.page);
    const oneClick = new URL(links.oneClick);
    expect([page.origin, page.pathname, oneClick.pathname]).toEqual([
      'https://console.example',
      '/notices/unsubscribe',
      '/v1/notices/unsubscribe',
    ]);
    expect(page.search).toBe(oneClick.search);
    const query = Object.fromEntries(page.searchParams) as Record<string, string>;
    const parsed = { ...query, exp: Number(query.exp) } as ReturnType<typeof link>;
    expect(checkUnsubscribe(keys, parsed, new Date(now.getTime() + 89 * 86_400_000))).toBe('valid');
    expect(checkUnsubscribe(keys, parsed, new Date(now.getTime() + 90 * 86_400_000))).toBe('expired');
  });
});

describe('topics and the objection to direct marketing', () => {
  it('the privacy workflow switches off exactly the preferences of the marketing topics', () => {
    const marketing = Object.values(NOTICE_TOPICS).flatMap((t) => ('marketing' in t && t.marketing ? [t.preference] : []));
    expect(Object.keys(MARKETING_TOPICS).sort()).toEqual(marketing.sort());
    expect(optOutsFor('Please stop sending me marketing e-mails.')).toEqual(Object.fromEntries(marketing.map((p) => [p, false])));
  });
});
