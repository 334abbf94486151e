import { sessionMayConfirm } from '../../../lambdas/privacy/domain/session-confirmation';
import { REQUEST_TYPES } from '../../../lambdas/privacy/domain/model';

const waiting = (type: (typeof REQUEST_TYPES)[number], channel: 'mail' | 'api') => ({
  type,
  channel,
  status: 'awaiting_confirmation' as const,
});

describe('a session standing for the confirmation of a request it joined', () => {
  it.each(REQUEST_TYPES)('%s: only when the call joined a request still waiting for its link', (type) => {
    expect(sessionMayConfirm(waiting(type, 'api'), { joined: false, withPassword: true })).toBe(false);
    expect(sessionMayConfirm({ ...waiting(type, 'api'), status: 'completed' as never }, { joined: true, withPassword: true })).toBe(false);
  });

  it('confirms access and portability, mailed or not', () => {
    for (const type of ['access', 'portability'] as const) {
      for (const channel of ['mail', 'api'] as const)
        expect(sessionMayConfirm(waiting(type, channel), { joined: true, withPassword: false })).toBe(true);
    }
  });

  it("never confirms the words of a mailed correction or objection: they may be a forger's, and only the link shows them", () => {
    for (const type of ['correction', 'objection'] as const) {
      expect(sessionMayConfirm(waiting(type, 'mail'), { joined: true, withPassword: true })).toBe(false);
      expect(sessionMayConfirm(waiting(type, 'api'), { joined: true, withPassword: false })).toBe(true);
    }
  });

  it('confirms an erasure only with the password in the same call', () => {
    expect(sessionMayConfirm(waiting('deletion', 'mail'), { joined: true, withPassword: false })).toBe(false);
    expect(sessionMayConfirm(waiting('deletion', 'mail'), { joined: true, withPassword: true })).toBe(true);
  });
});
