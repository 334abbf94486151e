import { AccountService, LOGIN_LIMITS } from '../../../lambdas/accounts/domain/accounts';
import { noSoonerThan, type Pacing } from '../../../lambdas/accounts/domain/pacing';
import {
  FixedClock,
  MemoryAccounts,
  MemoryMailer,
  MemorySecurityLog,
  MemorySessions,
  MemoryTokens,
  PlainHasher,
} from '../../helpers/memory-accounts';

/** Virtual time: work advances it by what it would take; sleeping advances it by what is asked. */
function virtualTime(): Pacing & { advance(ms: number): void; slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
    advance: (ms) => {
      now += ms;
    },
    slept,
  };
}

describe('answers that must not tell whether an address has an account', () => {
  it('end at the same time whether the work found an account (link written, mail sent) or not', async () => {
    const found = virtualTime();
    const none = virtualTime();
    await noSoonerThan(500, async () => found.advance(133), found);
    await noSoonerThan(500, async () => none.advance(33), none);
    expect([found.now(), none.now()]).toEqual([500, 500]);
  });

  it('adds nothing to work slower than the floor, and answers refusals at once', async () => {
    const slow = virtualTime();
    await expect(noSoonerThan(500, async () => (slow.advance(700), 'done'), slow)).resolves.toBe('done');
    expect(slow.slept).toEqual([]);
    const refused = virtualTime();
    await expect(noSoonerThan(500, async () => Promise.reject(new Error('throttled')), refused)).rejects.toThrow('throttled');
    expect(refused.slept).toEqual([]);
  });
});

/** A port whose every call takes `ms` of virtual time, as a DynamoDB write or an SES send takes real time. */
function timed<T extends object>(port: T, time: { advance(ms: number): void }, ms: number): T {
  return new Proxy(port, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        time.advance(ms);
        return value.apply(target, args);
      };
    },
  });
}

describe('sign-up', () => {
  const origin = { ip: '203.0.113.9', userAgent: 'jest' };
  const PASSWORD = 'correct horse battery staple';

  /** A service on in-memory ports whose calls cost virtual time, with the hashes it made counted. */
  function timedService() {
    const time = virtualTime();
    const hashes: string[] = [];
    const hasher = new PlainHasher();
    const securityLog = timed(new MemorySecurityLog(), time, 8);
    const service = new AccountService({
      accounts: timed(new MemoryAccounts(), time, 15),
      tokens: timed(new MemoryTokens(), time, 10),
      mailer: timed(new MemoryMailer(), time, 60),
      securityLog,
      failures: securityLog,
      hasher: {
        hash: async (password: string) => {
          hashes.push(password);
          time.advance(750);
          return hasher.hash(password);
        },
        verify: (password: string, stored: string | undefined) => hasher.verify(password, stored),
      },
      clock: new FixedClock(),
      pacing: time,
      publicUrl: 'https://api.omnapi.test',
    });
    return { service, time, hashes };
  }

  it('takes as long, and hashes as much, for an address that has an account as for a new one', async () => {
    const taken = timedService();
    await taken.service.signup({ name: 'Ann', email: 'ann@example.org', password: PASSWORD }, origin);
    const fresh = timedService();
    // The second sign-up of the same address is the one that finds it taken; the first is a new one.
    const startedTaken = taken.time.now();
    const hashesBefore = taken.hashes.length;
    await taken.service.signup({ name: 'Eve', email: 'ann@example.org', password: PASSWORD }, origin);
    await fresh.service.signup({ name: 'Ann', email: 'ann@example.org', password: PASSWORD }, origin);
    expect(taken.time.now() - startedTaken).toBe(fresh.time.now());
    expect(taken.hashes.length - hashesBefore).toBe(fresh.hashes.length);
    expect(fresh.hashes).toHaveLength(1);
  });
});

describe('sign-in', () => {
  const origin = { ip: '203.0.113.9', userAgent: 'jest' };
  const PASSWORD = 'correct horse battery staple';

  /** Each failed attempt's time, from a service whose port calls cost virtual time. */
  async function failedAttempts(email: string, withAccount: boolean): Promise<number[]> {
    const time = virtualTime();
    const securityLog = timed(new MemorySecurityLog(), time, 8);
    const hasher = new PlainHasher();
    const service = new AccountService({
      accounts: timed(new MemoryAccounts(), time, 15),
      sessions: timed(new MemorySessions(), time, 10),
      tokens: timed(new MemoryTokens(), time, 10),
      mailer: timed(new MemoryMailer(), time, 60),
      securityLog,
      failures: securityLog,
      hasher: {
        hash: (password: string) => hasher.hash(password),
        verify: async (password: string, stored: string | undefined) => {
          time.advance(750);
          return hasher.verify(password, stored);
        },
      },
      clock: new FixedClock(),
      pacing: time,
      publicUrl: 'https://api.omnapi.test',
    });
    if (withAccount) await service.signup({ name: 'Ann', email, password: PASSWORD }, origin);
    const took: number[] = [];
    for (let i = 0; i < LOGIN_LIMITS.perEmail; i++) {
      const started = time.now();
      await expect(service.login({ email, password: 'not the password at all' }, origin)).rejects.toMatchObject({
        code: 'invalid_credentials',
      });
      took.push(time.now() - started);
    }
    return took;
  }

  it('fails as slowly for an address that has an account, its owner warned at the limit, as for one that has none', async () => {
    const taken = await failedAttempts('ann@example.org', true);
    const none = await failedAttempts('nobody@example.org', false);
    expect(taken).toEqual(none);
  });
});
