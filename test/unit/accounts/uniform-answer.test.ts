import { noSoonerThan, type Pacing } from '../../../lambdas/accounts/http';

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
