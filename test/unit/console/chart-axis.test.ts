import { timeAxisLabels } from '../../../console/src/format';

describe("the usage chart's time axis", () => {
  // Local midnight: the axis speaks the reader's zone.
  const start = new Date(2026, 11, 7, 0, 0).getTime() / 1000;
  const sixHours = [0, 1, 2, 3, 4, 5].map((i) => start + i * 6 * 3600);

  it('writes times of day as the reader writes them: 24-hour in German, with the date under the first tick of each day', () => {
    const labels = timeAxisLabels(sixHours, 6 * 3600, 'de-DE');
    for (const label of labels) expect(label).toMatch(/^\d{2}:\d{2}(\n.+)?$/);
    expect(labels.join(' ')).not.toMatch(/AM|PM|am|pm/);
    expect(labels[0]).toMatch(/\n\d{1,2}\. Dez\.$/);
    // Each day's date once: under its first tick only.
    expect(labels.map((l) => l.split('\n')[1] ?? '')).toEqual(['7. Dez.', '', '', '', '8. Dez.', '']);
  });

  it("writes dates alone, in the reader's words, when the ticks are days apart", () => {
    const days = [0, 1, 2].map((i) => start + 12 * 3600 + i * 86_400);
    expect(timeAxisLabels(days, 86_400, 'de-DE')).toEqual(['7. Dez.', '8. Dez.', '9. Dez.']);
    expect(timeAxisLabels(days, 86_400, 'ja-JP')).toEqual(['12月7日', '12月8日', '12月9日']);
    expect(timeAxisLabels(days, 86_400, 'pl-PL')).toEqual(['7 gru', '8 gru', '9 gru']);
  });
});
