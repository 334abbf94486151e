import { ACTION_KINDS, ACTION_TEXT, changedFields, describeActor, otherTargets } from '../../../console/src/audit-events';
import { AUDIT_ACTION_KINDS, AUDIT_ACTIONS } from '../../../lambdas/shared/audit';

describe("the console's audit page words", () => {
  it('explain every action the API can record, and offer every kind of action as a filter', () => {
    expect(Object.keys(ACTION_TEXT).sort()).toEqual([...AUDIT_ACTIONS].sort());
    expect(ACTION_KINDS.map(([kind]) => kind).sort()).toEqual([...AUDIT_ACTION_KINDS].sort());
  });

  it("name who acted without an operator's internal identity", () => {
    expect(describeActor({ type: 'operator', id: 'arn:aws:sts::123456789012:assumed-role/Ops/jane', via: 'cli' })).toBe('OmnAPI staff');
    expect(describeActor({ type: 'system', id: 'privacy-workflow' })).toBe('OmnAPI, automatically');
    expect(describeActor({ type: 'account', id: 'acc_1', via: 'session:ses_1' })).toBe('You, signed in');
    expect(describeActor({ type: 'account', id: 'acc_1', via: 'link:unsubscribe' })).toBe('You, through a link we mailed');
  });

  it('show a change field by field, hiding anything named like a secret', () => {
    expect(changedFields({ before: { plan: 'free' }, after: { plan: 'pro' } })).toEqual({
      fields: [{ field: 'plan', before: 'free', after: 'pro' }],
      more: 0,
    });
    const { fields } = changedFields({ after: { secret: 'sk_live_123', passwordHash: 'x', token: 't', name: 'ci' } });
    expect(fields).toEqual([
      { field: 'secret', after: '(hidden)' },
      { field: 'passwordHash', after: '(hidden)' },
      { field: 'token', after: '(hidden)' },
      { field: 'name', after: 'ci' },
    ]);
    expect(JSON.stringify(fields)).not.toContain('sk_live_123');
  });

  it('read a list of plain values as words, not JSON', () => {
    // What a profile change records: the names of the fields it touched.
    expect(changedFields({ after: { fields: ['name', 'profile'] } }).fields).toEqual([{ field: 'fields', after: 'name, profile' }]);
    expect(changedFields({ after: { scopes: [{ a: 1 }] } }).fields).toEqual([{ field: 'scopes', after: 'a 1' }]);
    // What a letter's confirmation records: its requests, each a small record.
    expect(
      changedFields({
        after: [
          { type: 'access', status: 'confirmed' },
          { type: 'deletion', status: 'in_progress' },
        ],
      }).fields,
    ).toEqual([{ field: 'value', after: 'type access, status confirmed; type deletion, status in_progress' }]);
    // Deeper shapes stay JSON, cut to length like any value.
    expect(changedFields({ after: { nested: { a: { b: 1 } } } }).fields).toEqual([{ field: 'nested', after: '{"a":{"b":1}}' }]);
  });

  it('hide a value named like a secret inside a small record too', () => {
    expect(changedFields({ after: { key: { name: 'ci', secret: 'omn_live_abc', tokenHash: 'f00' } } }).fields).toEqual([
      { field: 'key', after: 'name ci, secret (hidden), tokenHash (hidden)' },
    ]);
  });

  it('cut a huge change to a dozen fields of bounded length, and take odd shapes without failing', () => {
    const huge = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`f${i}`, 'x'.repeat(100_000)]));
    const { fields, more } = changedFields({ after: huge });
    expect(fields).toHaveLength(12);
    expect(more).toBe(488);
    expect(fields[0]!.after!.length).toBeLessThan(300);
    expect(fields[0]!.after).toMatch(/… \(100,000 characters\)$/);
    expect(changedFields({ after: [{ type: 'access', status: 'confirmed' }] }).fields).toEqual([
      { field: 'value', after: 'type access, status confirmed' },
    ]);
    for (const odd of [null, undefined, 'text', 42, { before: null }, {}]) expect(() => changedFields(odd)).not.toThrow();
  });

  it('list the things an event names besides the account itself', () => {
    const event = {
      targets: [
        { type: 'account', id: 'acc_1' },
        { type: 'key', id: 'key_1' },
        { type: 'legal_hold', id: 'h1' },
      ],
    } as Parameters<typeof otherTargets>[0];
    expect(otherTargets(event)).toEqual(['key key_1', 'legal hold h1']);
  });
});
