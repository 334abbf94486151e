import { CreateKeyBody, ProfilePatch, SignupBody, UpdateAccountBody } from '../../../lambdas/accounts/schemas';

const signup = (name: string, profile?: object) =>
  SignupBody.safeParse({ name, email: 'ann@example.org', password: 'correct horse battery staple', profile });

/** Names as people in every script write them, right to left included, with the joiners their scripts need. */
const WORLD_NAMES = [
  'محمد بن سلمان',
  'שָׁלוֹם כֹּהֵן',
  '王小明',
  'Ἀριστοτέλης',
  'देवनागरी शर्मा',
  'فاطمه\u200cزهرا', // Persian: the zero-width non-joiner is part of the spelling
  'Zoë\u0301 Ñúñez',
  'ส้มตำ ไทย',
  '👩\u200d💻 Ada',
  'O’Brien-Smith',
  '\u200fדנה\u200f', // right-to-left marks around a Hebrew name
  // Bidirectional overrides are the holder's to use: the console isolates a name, the ops tool escapes them.
  '\u202Egnp.exe',
];

describe('names and profile fields with inputs from everywhere', () => {
  it('takes names in every script, and refuses control characters and line breaks, naming the field', () => {
    for (const name of WORLD_NAMES) {
      expect(signup(name).success).toBe(true);
      expect(CreateKeyBody.safeParse({ name }).success).toBe(true);
    }
    // A newline forges a line of `ops accounts show`; ESC and CSI drive the operator's terminal.
    for (const name of [
      'Ann\nbalance 999999 credits',
      'Ann\r\nBob',
      'Ann\u0000Zero',
      'Ann\u001b[2J',
      'Ann\u009b31m',
      'Ann\u0085Next',
      'Ann\u007f',
      'Ann\u2028Bob',
      'Ann\ud800',
    ]) {
      const parsed = signup(name);
      expect(parsed.success).toBe(false);
      expect(parsed.error!.issues.map((i) => i.path.join('.'))).toEqual(['name']);
      expect(CreateKeyBody.safeParse({ name }).success).toBe(false);
      expect(UpdateAccountBody.safeParse({ name }).success).toBe(false);
    }
  });

  it('refuses a name nobody can see: only zero-width or format characters', () => {
    for (const name of ['\u200b', '\u200d\u200c', '\u2060', '\u00ad', '\u200b \u200b', '\u0301']) {
      expect(signup(name).success).toBe(false);
      expect(CreateKeyBody.safeParse({ name }).success).toBe(false);
    }
  });

  it("refuses a website whose user name reads as another site's address, and takes any other", () => {
    for (const website of ['https://omnapi.com@evil.example/login', 'http://user:pass@example.org', 'https://@example.org']) {
      const parsed = ProfilePatch.safeParse({ website });
      expect([website, parsed.success, parsed.error?.issues[0]?.message]).toEqual([website, false, expect.stringMatching(/user name/)]);
    }
    for (const website of ['https://example.org', 'https://example.org/a@b', 'https://example.org/?mail=a@b.c', 'https://bücher.de/#x@y'])
      expect([website, ProfilePatch.safeParse({ website }).success]).toEqual([website, true]);
  });

  it('refuses a name of blank letters: the Hangul fillers and the blank Braille pattern are letters or symbols nobody sees', () => {
    for (const name of ['\u3164', '\uffa0', '\u115f\u1160', '\u2800\u2800', '\u3164 \u3164', '\u3164\u200b']) {
      expect([name, signup(name).success]).toEqual([name, false]);
      expect([name, CreateKeyBody.safeParse({ name }).success]).toEqual([name, false]);
    }
    // Hangul written with its jamo (a filler stands in for a missing one) and Braille text stay welcome.
    for (const name of ['\u1100\u1161\u11a8', '한국어', '\u2801\u2803', '\u3164Kim'])
      expect([name, signup(name).success]).toEqual([name, true]);
  });

  it('keeps line breaks and tabs in the bio, and refuses the other control characters there and in the company', () => {
    expect(ProfilePatch.safeParse({ bio: 'First line\nsecond\tline\r\nthird' }).success).toBe(true);
    expect(ProfilePatch.safeParse({ bio: 'Hi\u001b]52;c;ZXZpbA==\u0007' }).success).toBe(false);
    expect(ProfilePatch.safeParse({ bio: 'Hi\u0085there' }).success).toBe(false);
    expect(ProfilePatch.safeParse({ company: 'ACME\nLtd' }).success).toBe(false);
    expect(ProfilePatch.safeParse({ company: 'شركة أكمي' }).success).toBe(true);
    expect(signup('Ann', { company: 'ACME\u0000' }).success).toBe(false);
  });
});
