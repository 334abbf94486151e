import { historyStages } from '../../../console/src/history';

describe("a privacy request's history as the console lists it", () => {
  it('lists a status once each time the request entered it, the later entries in it as its steps', () => {
    const history = [
      { status: 'received', at: '2026-12-01T10:00:00.000Z', note: 'by mail to privacy@; answer within 30 days (default deadline)' },
      { status: 'awaiting_confirmation', at: '2026-12-01T10:00:01.000Z' },
      { status: 'confirmed', at: '2026-12-01T10:05:00.000Z' },
      { status: 'in_progress', at: '2026-12-01T10:05:01.000Z' },
      { status: 'in_progress', at: '2026-12-01T10:05:02.000Z', note: 'cooling-off until 2026-12-03T10:05:02.000Z' },
      { status: 'in_progress', at: '2026-12-03T10:05:03.000Z', note: 'erasing: 2 key(s) revoked and 1 session(s) ended' },
      { status: 'completed', at: '2026-12-03T10:06:00.000Z', note: 'erased' },
    ];
    const stages = historyStages(history);
    expect(stages.map((s) => s.status)).toEqual(['received', 'awaiting_confirmation', 'confirmed', 'in_progress', 'completed']);
    expect(stages[3]).toEqual({
      status: 'in_progress',
      at: '2026-12-01T10:05:01.000Z',
      steps: [
        { at: '2026-12-01T10:05:02.000Z', note: 'cooling-off until 2026-12-03T10:05:02.000Z' },
        { at: '2026-12-03T10:05:03.000Z', note: 'erasing: 2 key(s) revoked and 1 session(s) ended' },
      ],
    });
  });

  it('lists a status again when the request came back to it after another', () => {
    const stages = historyStages([
      { status: 'in_progress', at: '2026-12-01T10:00:00.000Z' },
      { status: 'needs_manual_action', at: '2026-12-01T11:00:00.000Z', note: 'a person answers by 2026-12-31' },
      { status: 'in_progress', at: '2026-12-02T10:00:00.000Z', note: 'holds cleared: resumed' },
    ]);
    expect(stages.map((s) => [s.status, s.note ?? ''])).toEqual([
      ['in_progress', ''],
      ['needs_manual_action', 'a person answers by 2026-12-31'],
      ['in_progress', 'holds cleared: resumed'],
    ]);
  });
});
