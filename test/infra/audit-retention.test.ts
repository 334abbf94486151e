import { synth } from '../helpers/synth';

/** The stage's audit retention reaches every function that writes audit events, and the operators' tools through the stack's output. */
describe('audit retention', () => {
  const { template } = synth({ auditRetentionDays: '550' });
  const functions = Object.values(template.findResources('AWS::Lambda::Function')) as {
    Properties: { Environment?: { Variables?: Record<string, unknown> } };
  }[];
  const variables = functions.map((f) => f.Properties.Environment?.Variables ?? {});

  it('every function that can write to the audit table carries the stage retention', () => {
    const writers = variables.filter((v) => 'TABLE_AUDIT_EVENTS' in v && 'AUDIT_RETENTION_DAYS' in v);
    expect(writers.length).toBeGreaterThan(5);
    for (const v of writers) expect(v.AUDIT_RETENTION_DAYS).toBe('550');
  });

  it('a function that only reads the trail gets no retention to apply', () => {
    // The account's audit list reads; everything else bound to the table appends or erases.
    const readers = variables.filter((v) => 'TABLE_AUDIT_EVENTS' in v && !('AUDIT_RETENTION_DAYS' in v));
    expect(readers.length).toBe(1);
  });

  it("the operators' tools read the retention from the stack outputs", () => {
    template.hasOutput('AuditRetentionDays', { Value: '550' });
  });
});
