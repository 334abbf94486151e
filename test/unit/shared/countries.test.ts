import { UpdateAccountBody } from '../../../lambdas/accounts/schemas';
import { DeadlinesSchema } from '../../../lambdas/privacy/deadlines-schema';
import { isCountryCode } from '../../../lambdas/shared/countries';

describe('country codes', () => {
  it("are ISO 3166-1's 249 and Kosovo's XK: every region Intl names that is not an exceptional, reserved or withdrawn code", () => {
    const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
    const letters = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'];
    const accepted = letters.flatMap((a) => letters.map((b) => a + b)).filter(isCountryCode);
    expect(accepted).toHaveLength(250);
    for (const code of accepted) expect(names.of(code)).not.toBe(code);
    for (const code of ['XX', 'ZZ', 'UK', 'EU', 'UN', 'SU', 'YU', 'de', 'D', 'DEU']) expect(isCountryCode(code)).toBe(false);
  });

  it("are what a profile's country and a deadline rule take: XX and UK are refused, once, in words", () => {
    for (const country of ['XX', 'UK', 'xx']) {
      const parsed = UpdateAccountBody.safeParse({ profile: { country } });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues.map((issue) => issue.message)).toEqual(['Must be an ISO 3166-1 alpha-2 country code, e.g. DE']);
    }
    expect(UpdateAccountBody.safeParse({ profile: { country: 'GB' } }).success).toBe(true);
    expect(DeadlinesSchema.safeParse({ days: 30, byCountry: { UK: 40 } }).success).toBe(false);
    expect(DeadlinesSchema.safeParse({ days: 30, byCountry: { GB: 40, BR: 15 } }).success).toBe(true);
  });
});
