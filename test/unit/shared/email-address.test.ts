import fc from 'fast-check';
import { SignupBody } from '../../../lambdas/accounts/schemas';
import { displayEmail, EMAIL_MAX, emailAddressProblem, mailboxOf, normaliseEmail } from '../../../lambdas/shared/email-address';

describe('email addresses', () => {
  it('keeps an internationalised domain in one ASCII form, whatever the spelling', () => {
    const spellings = ['anna@bücher.de', ' Anna@BÜCHER.DE ', 'anna@xn--bcher-kva.de', 'ANNA@XN--BCHER-KVA.DE', 'anna@ｂüｃｈｅｒ.de'];
    expect(new Set(spellings.map(normaliseEmail))).toEqual(new Set(['anna@xn--bcher-kva.de']));
    expect(normaliseEmail('user@例え.jp')).toBe('user@xn--r8jz45g.jp');
    expect(normaliseEmail('ivan@пример.рф')).toBe('ivan@xn--e1afmkfd.xn--p1ai');
    // IDNA 2008 (non-transitional, as URLs): ß is its own letter, faß.de is not fass.de.
    expect(normaliseEmail('a@faß.de')).toBe('a@xn--fa-hia.de');
    expect(normaliseEmail('  Ann@Example.ORG ')).toBe('ann@example.org');
  });

  it('reads an address typed in full width (an input method in wide mode) as the ASCII address it shows', () => {
    // The domain was always folded (UTS #46); the part before the @ and the @ itself are folded the same way (NFKC).
    for (const typed of [
      'ａｎｎａ@example.org',
      'ａｎｎａ＠ｅｘａｍｐｌｅ．ｏｒｇ',
      'Ａｎｎａ＋ｔａｇ@Example.org',
      'anna\ufe6bexample.org',
    ]) {
      const expected = typed.includes('ｔａｇ') ? 'anna+tag@example.org' : 'anna@example.org';
      expect([typed, normaliseEmail(typed), emailAddressProblem(typed)]).toEqual([typed, expected, undefined]);
      expect(SignupBody.safeParse({ name: 'A', email: typed, password: 'x' }).success).toBe(true);
    }
    // Letters that are not ASCII in any form stay refused with the reason.
    expect(emailAddressProblem('ｊüｒｇｅｎ@example.org')).toMatch(/ASCII .*before the @/);
  });

  it('drops characters nobody sees before the @, as UTS #46 drops them after it: a pasted address is the one it shows', () => {
    for (const typed of [
      'ann\u200b@example.org',
      '\u200bAnn@example.org',
      'an\u00adn@example.org',
      'ann\u2060@example.org',
      'a\u200dnn@example.org',
      'ann\ufeff@example.org',
      'ann@example.org\u200b',
    ]) {
      expect([typed, normaliseEmail(typed), emailAddressProblem(typed)]).toEqual([typed, 'ann@example.org', undefined]);
    }
    // Nothing visible left before the @ is no address; a look-alike letter is no invisible one, and stays refused.
    expect(emailAddressProblem('\u200b@example.org')).toBe('Must be an email address');
    expect(emailAddressProblem('\u0430nn@example.org')).toMatch(/ASCII .*before the @/);
  });

  it("names an address's mailbox without its subaddress (+tag), for limits on mail to it", () => {
    expect(mailboxOf('ann+news@example.org')).toBe('ann@example.org');
    expect(mailboxOf('ann+a+b@example.org')).toBe('ann@example.org');
    expect(mailboxOf('ann@example.org')).toBe('ann@example.org');
    // A local part that starts with + is its own mailbox, not an empty one.
    expect(mailboxOf('+ann@example.org')).toBe('+ann@example.org');
    expect(mailboxOf('not an address')).toBe('not an address');
  });

  it('accepts addresses with internationalised domains and shows them back in Unicode', () => {
    for (const address of ['anna@bücher.de', 'user@例え.jp', 'ivan@пример.рф', 'anna@xn--bcher-kva.de', 'c.d+tag@sub.example.net'])
      expect([address, emailAddressProblem(address)]).toEqual([address, undefined]);
    expect(displayEmail(normaliseEmail('Anna@Bücher.de'))).toBe('anna@bücher.de');
    expect(displayEmail('ivan@xn--e1afmkfd.xn--p1ai')).toBe('ivan@пример.рф');
    expect(displayEmail('ann@example.org')).toBe('ann@example.org');
  });

  it('refuses a non-ASCII part before the @ with a reason (SES has no SMTPUTF8), and what no mail system delivers to', () => {
    expect(emailAddressProblem('jürgen@bücher.de')).toMatch(/ASCII .*before the @/);
    expect(emailAddressProblem('用户@例え.jp')).toMatch(/ASCII .*before the @/);
    for (const address of [
      'anna',
      'anna@',
      '@bücher.de',
      'a@b',
      'a@exa_mple.com',
      'a@-a.com',
      'a@a..com',
      'a@1.2.3.4',
      'a@[1.2.3.4]',
      'x@xn--zz.com',
      'a b@c.de',
      'a@b.de.',
      'a@b@c.de',
    ])
      expect([address, emailAddressProblem(address)]).toEqual([address, 'Must be an email address']);
    // 179 characters as typed, 275 as punycode: too long to be mailed.
    expect(emailAddressProblem(`${'a'.repeat(64)}@${Array(16).fill('bücher').join('.')}.de`)).toMatch(/at most 254/);
  });

  it('accepts only what its canonical form would accept again, unchanged (a fixed point), within the length mail allows', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.emailAddress(),
          fc.string(),
          fc.webUrl().map((url) => `a@${new URL(url).hostname}`),
        ),
        (address) => {
          if (emailAddressProblem(address) !== undefined) return;
          const canonical = normaliseEmail(address);
          expect(normaliseEmail(canonical)).toBe(canonical);
          expect(emailAddressProblem(canonical)).toBeUndefined();
          expect(canonical.length).toBeLessThanOrEqual(EMAIL_MAX);
          expect(canonical).toMatch(/^[\x21-\x7e]+$/);
        },
      ),
    );
  });

  it('answers the reason as a 400 field issue at the route', () => {
    const refused = SignupBody.safeParse({ name: 'J', email: 'jürgen@bücher.de', password: 'x' });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]).toMatchObject({ path: ['email'], message: expect.stringMatching(/ASCII/) });
    expect(SignupBody.safeParse({ name: 'A', email: 'anna@bücher.de', password: 'x' }).success).toBe(true);
  });
});
