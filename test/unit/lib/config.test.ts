import { loadStageConfig } from '../../../lib/config';
import { loadConfig } from '../../../lambdas/shared/config';
import { z } from 'zod';

const contextOf = (values: Record<string, unknown>) => (key: string) => values[key];

describe('loadStageConfig', () => {
  it('defaults to a disposable dev stage', () => {
    expect(loadStageConfig(contextOf({}))).toMatchObject({ stage: 'dev', retainData: false, mailDomain: 'omnapi.com' });
  });

  it('always retains data in prod, whatever the context says', () => {
    expect(loadStageConfig(contextOf({ stage: 'prod', retainData: 'false' })).retainData).toBe(true);
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
