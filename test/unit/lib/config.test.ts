import { LOCAL_CONTEXT_KEY, loadStageConfig } from '../../../lib/config';
import { loadConfig } from '../../../lambdas/shared/config';
import { z } from 'zod';
import { STRIPE_CURRENCIES } from '../../../lambdas/shared/money';

const contextOf = (values: Record<string, unknown>) => (key: string) => values[key];

describe('loadStageConfig', () => {
  it('defaults to a disposable dev stage', () => {
    expect(loadStageConfig(contextOf({}))).toMatchObject({ stage: 'dev', retainData: false, mailDomain: 'omnapi.com' });
  });

  it('always retains data in prod, whatever the context says', () => {
    expect(loadStageConfig(contextOf({ stage: 'prod', retainData: 'false' })).retainData).toBe(true);
  });

  it('drains usage every minute in dev and every two in prod, unless the stage says otherwise, within 1–4 minutes', () => {
    expect(loadStageConfig(contextOf({})).drainEveryMinutes).toBe(1);
    expect(loadStageConfig(contextOf({ stage: 'prod' })).drainEveryMinutes).toBe(2);
    expect(loadStageConfig(contextOf({ stage: 'prod', drainEveryMinutes: '1' })).drainEveryMinutes).toBe(1);
    expect(() => loadStageConfig(contextOf({ drainEveryMinutes: '5' }))).toThrow(/drainEveryMinutes/);
  });

  it('keeps audit events 400 days unless the stage says otherwise, and refuses a retention shorter than a month', () => {
    expect(loadStageConfig(contextOf({})).auditRetentionDays).toBe(400);
    expect(loadStageConfig(contextOf({ stage: 'prod', auditRetentionDays: '730' })).auditRetentionDays).toBe(730);
    expect(() => loadStageConfig(contextOf({ auditRetentionDays: '7' }))).toThrow(/auditRetentionDays: must be at least 30 days/);
  });

  it('sends optional notices from notices@ on the sending domain, at 10 a second, unless the stage says otherwise', () => {
    expect(loadStageConfig(contextOf({ mailFrom: 'no-reply@mail.example.org' })).notices).toEqual({
      from: 'notices@mail.example.org',
      sendsPerSecond: 10,
    });
    expect(loadStageConfig(contextOf({ notices: '{"sendsPerSecond":14}' })).notices).toEqual({
      from: 'notices@omnapi.com',
      sendsPerSecond: 14,
    });
    expect(() => loadStageConfig(contextOf({ localNoticeLinkKeys: 'k'.repeat(40) }))).toThrow(
      /localNoticeLinkKeys: only the local runtime/,
    );
  });

  it("takes the constructs' defaults for settings the stage leaves out, and merges a partial setting with them", () => {
    const config = loadStageConfig(
      contextOf({ addressWatch: '{"suspend":true}', privacy: '{"coolingOffHours":2}', keyCacheSeconds: '20' }),
    );
    expect(config.addressWatch).toEqual({ addressesPerHour: 50, suspend: true });
    expect(config.privacy).toEqual({
      linkLifeHours: 72,
      reminderAfterHours: 36,
      watchdogMinutes: 15,
      coolingOffHours: 2,
      deadlines: { days: 30, byCountry: {} },
    });
    expect(config.keyCacheSeconds).toBe(20);
    expect(config.hotPathTracing).toBe('passThrough');
  });

  it("refuses a stage setting by its construct's rule, named by its path", () => {
    expect(() =>
      loadStageConfig(contextOf({ privacy: '{"reminderAfterHours":80}', keyCacheSeconds: 'ten', addressWatch: '{"addressesPerHour":1}' })),
    ).toThrow(
      [
        'Invalid OmnAPI stage config (set with cdk -c key=value):',
        '  - privacy.reminderAfterHours: must be less than linkLifeHours (72), got 80: the reminder would come after the link expired',
        '  - addressWatch.addressesPerHour: must be an integer from 2 to 10000, got 1',
        '  - keyCacheSeconds: must be an integer from 0 to 300, got ten',
      ].join('\n'),
    );
  });

  it('refuses the local-only settings outside the local runtime, and an origin secret without publicUrl, together', () => {
    expect(() => loadStageConfig(contextOf({ localPseudonymKeys: 'k'.repeat(40), originSecretName: 'omnapi/dev/origin' }))).toThrow(
      /originSecretName: needs publicUrl[^\n]*\n {2}- localPseudonymKeys: only the local runtime/,
    );
    expect(loadStageConfig(contextOf({ localPseudonymKeys: 'k'.repeat(40), [LOCAL_CONTEXT_KEY]: true })).localPseudonymKeys).toBe(
      'k'.repeat(40),
    );
  });

  it('refuses a credit pack in a currency Stripe does not charge in, and takes every one it does', () => {
    const packs = (currency: string, priceMinor = 100_000) => ({
      creditPacks: JSON.stringify({ starter: { name: 'Starter', credits: 10, priceMinor, currency } }),
    });
    expect(() => loadStageConfig(contextOf(packs('xyz')))).toThrow(
      '  - creditPacks.starter.currency: xyz is not a currency Stripe charges in (docs.stripe.com/currencies)',
    );
    // Codes ISO has retired (the Estonian kroon, the Venezuelan bolívar fuerte) are well-formed but refused as well.
    for (const retired of ['eek', 'vef'])
      expect(() => loadStageConfig(contextOf(packs(retired)))).toThrow(/is not a currency Stripe charges in/);
    for (const currency of STRIPE_CURRENCIES)
      expect(loadStageConfig(contextOf(packs(currency))).creditPacks.starter!.currency).toBe(currency);
  });

  it('refuses a pack price Stripe would refuse in its currency, naming the rule', () => {
    const packs = (currency: string, priceMinor: number) => ({
      creditPacks: JSON.stringify({ starter: { name: 'Starter', credits: 10, priceMinor, currency } }),
    });
    expect(() => loadStageConfig(contextOf(packs('huf', 500)))).toThrow(
      '  - creditPacks.starter.priceMinor: 500 huf: Stripe charges at least 175.00 HUF (17500 of the minor unit)',
    );
    expect(() => loadStageConfig(contextOf(packs('kwd', 5125)))).toThrow(/priceMinor: 5125 kwd: .*last of the three decimals must be 0/);
    expect(() => loadStageConfig(contextOf(packs('isk', 50_050)))).toThrow(/priceMinor: 50050 isk: .*whole krónur/);
    expect(loadStageConfig(contextOf(packs('gbp', 30))).creditPacks.starter!.priceMinor).toBe(30);
  });

  it('reports every invalid setting at once', () => {
    expect(() => loadStageConfig(contextOf({ stage: 'qa', mailDomain: 'Not A Domain', alarmEmail: 'nope' }))).toThrow(
      /stage: .*\n.*mailDomain: .*\n.*alarmEmail: /s,
    );
  });
});

describe('loadConfig', () => {
  it('names every missing or malformed variable', () => {
    expect(() => loadConfig({ TABLE_A: z.string(), MAIL_FROM: z.email() }, { MAIL_FROM: 'nope' })).toThrow(
      'Invalid function configuration: TABLE_A is not set; MAIL_FROM: Invalid email address',
    );
  });
});
