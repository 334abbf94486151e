import { AccountService } from '../../../lambdas/accounts/domain/accounts';
import { boundTables, lazily, loadSettings, mailSettings, tableSettings } from '../../../lambdas/shared/config';
import { ConfigError } from '../../../lambdas/shared/errors';
import { FixedClock, MemorySecurityLog, MemorySessions } from '../../helpers/memory-accounts';

describe('settings', () => {
  const SETTINGS = { ...mailSettings(), ...tableSettings('usageLogs', 'apiKeys') };

  it('names each table setting by the construct rule and reads only the names asked for', () => {
    // Arrange
    const env = { TABLE_USAGE_LOGS: 'logs', TABLE_API_KEYS: 'keys', PUBLIC_URL: 'not a url' };
    // Act
    const config = loadSettings(SETTINGS, ['TABLE_USAGE_LOGS', 'TABLE_API_KEYS'], env);
    // Assert: PUBLIC_URL is malformed, but this function is not bound to it.
    expect(config).toEqual({ TABLE_USAGE_LOGS: 'logs', TABLE_API_KEYS: 'keys' });
    expect(boundTables(config, ['usageLogs', 'apiKeys'])).toEqual({ usageLogs: 'logs', apiKeys: 'keys' });
  });

  it('names every missing or malformed variable in one error', () => {
    const load = () => loadSettings(SETTINGS, ['TABLE_USAGE_LOGS', 'MAIL_FROM', 'PUBLIC_URL'], { PUBLIC_URL: 'ftp://x', MAIL_FROM: '' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/TABLE_USAGE_LOGS is not set; MAIL_FROM is not set; PUBLIC_URL: /);
  });
});

describe('lazily', () => {
  it('builds on the first call only and keeps what it built', () => {
    const build = jest.fn(() => ({ port: {} }));
    const wiring = lazily(build);
    expect(build).not.toHaveBeenCalled();
    const first = wiring();
    expect(wiring()).toBe(first);
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('builds again after a failed build instead of keeping the failure', () => {
    let bound = false;
    const wiring = lazily(() => {
      if (!bound) throw new ConfigError('TABLE_X is not set');
      return { table: 'x' };
    });
    expect(wiring).toThrow('TABLE_X is not set');
    bound = true;
    expect(wiring()).toEqual({ table: 'x' });
  });
});

describe("a function's dependencies", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it.each([
    ['metering/handlers/usage-worker', 'TABLE_USAGE_LOGS'],
    ['metering/handlers/usage-sweep', 'SWEEP_EVERY_MINUTES'],
    ['notices/handlers/sender', 'NOTICE_SENDS_PER_SECOND'],
    ['mail/handlers/delivery-feedback', 'TABLE_SUPPRESSIONS'],
    ['privacy/handlers/watchdog', 'COOLING_OFF_SECONDS'],
    ['privacy/handlers/workflow', 'BUCKET_INBOUND_MAIL'],
  ])('%s loads with no environment and names what is missing on its first call', async (file, variable) => {
    // Arrange: an environment with none of the function's settings.
    process.env = { AWS_REGION: 'eu-west-1', POWERTOOLS_METRICS_DISABLED: 'true' };
    let module: { handler: (event: unknown, context: unknown) => Promise<unknown> } | undefined;
    // Act
    jest.isolateModules(() => {
      module = require(`../../../lambdas/${file}`);
    });
    const call = module!.handler({ Records: [{ messageId: 'm', body: '{}', Sns: { Message: '{}' } }], step: 'begin', requestId: 'r' }, {});
    // Assert
    await expect(call).rejects.toThrow(new RegExp(`${variable} is not set`));
  });
});

describe('accounts: a function holds only its ports', () => {
  it('serves what its ports allow; what they do not is a compile error, not a run-time one', async () => {
    // Arrange: a function bound to the sessions and security-events tables only (sign-out, sessions).
    const sessions = new MemorySessions();
    const securityLog = new MemorySecurityLog();
    const service = new AccountService({ sessions, securityLog, failures: securityLog, clock: new FixedClock() });
    const principal = { accountId: 'acc_1', sessionId: 'ses_1', tokenHash: 'h1', signedInAt: new Date().toISOString() };
    // Act
    const listed = await service.listSessions(principal);
    const beyond = {
      // @ts-expect-error signing in needs the accounts store, the hasher and the mailer, which this function has not
      login: () => service.login({ email: 'a@example.org', password: 'x' }, { ip: '203.0.113.1', userAgent: 'jest' }),
      // @ts-expect-error preferences are on the accounts item
      preferences: () => service.getPreferences(principal),
    };
    // Assert
    expect(listed).toEqual([]);
    expect(Object.keys(beyond)).toEqual(['login', 'preferences']);
  });
});
