import { formatTime, formatTimesIn } from '../../../console/src/format';

describe("times in the API's free text", () => {
  it("are shown in the reader's locale, as every other time the console shows", () => {
    const iso = '2026-12-07T19:50:38.849Z';
    expect(formatTimesIn(`cooling-off until ${iso}`)).toBe(`cooling-off until ${formatTime(iso)}`);
    expect(formatTimesIn(`from 2026-12-07T19:50Z to 2026-12-08T01:00:00+02:00`)).toBe(
      `from ${formatTime('2026-12-07T19:50Z')} to ${formatTime('2026-12-08T01:00:00+02:00')}`,
    );
    expect(formatTimesIn(`cooling-off until ${iso}`)).not.toContain('T19:50');
  });

  it('leave everything else as it is: dates alone, ids, impossible times', () => {
    expect(formatTimesIn('deadline extended to 2027-02-05: an inquiry')).toBe('deadline extended to 2027-02-05: an inquiry');
    expect(formatTimesIn('2026-13-45T99:99Z key_0ea690e0')).toBe('2026-13-45T99:99Z key_0ea690e0');
  });
});
