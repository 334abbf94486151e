import { displayEmail } from '../../../lambdas/shared/email-address';
import { displayDomain, showsInUnicode } from '../../../lambdas/shared/idn-display';

// The console's decoder (console/src/api/client.ts: displayEmail), which has no types outside the console's own program.
const { toUnicode } = require('punycode.js') as { toUnicode(domain: string): string };
const consoleDisplayEmail = (address: string) => {
  const at = address.lastIndexOf('@');
  return `${address.slice(0, at)}@${displayDomain(address.slice(at + 1), toUnicode)}`;
};

/** Addresses as mail texts (the functions) and the console (punycode.js) show them: the same rule with either decoder. */
describe.each([
  ['mail texts', displayEmail],
  ['the console', consoleDisplayEmail],
])('an address in %s', (_where, show) => {
  it('shows an internationalised domain in Unicode, as its owner writes it', () => {
    expect(show('anna@xn--bcher-kva.de')).toBe('anna@bücher.de');
    expect(show('ivan@xn--e1afmkfd.xn--p1ai')).toBe('ivan@пример.рф');
    expect(show('user@xn--r8jz45g.jp')).toBe('user@例え.jp');
    expect(show('a@xn--mgbh0fb.xn--kgbechtv')).toBe('a@مثال.إختبار');
    expect(show('ann@example.org')).toBe('ann@example.org');
  });

  it('keeps a label that would read as another domain in punycode: mixed scripts, or Cyrillic letters that look Latin', () => {
    // ann@exаmple.org (a Cyrillic а) and ann@аррӏе.com (all Cyrillic) read as ann@example.org and ann@apple.com.
    expect(show('ann@xn--exmple-4nf.org')).toBe('ann@xn--exmple-4nf.org');
    expect(show('ann@xn--80ak6aa92e.com')).toBe('ann@xn--80ak6aa92e.com');
    // Under a Cyrillic top-level domain its readers type Cyrillic: shown.
    expect(show('ann@xn--80ak6aa92e.xn--p1ai')).toBe('ann@аррӏе.рф');
    // Only the label that would mislead stays ASCII.
    expect(show('ann@xn--exmple-4nf.xn--bcher-kva.de')).toBe('ann@xn--exmple-4nf.bücher.de');
  });
});

describe('showsInUnicode', () => {
  it('takes scripts written together as one and refuses others mixed', () => {
    expect(showsInUnicode('例えば-テスト-abc')).toBe(true);
    expect(showsInUnicode('한국漢字')).toBe(true);
    expect(showsInUnicode('pаypal')).toBe(false);
    expect(showsInUnicode('αpple')).toBe(false);
    expect(showsInUnicode('ορτ')).toBe(false);
    expect(showsInUnicode('ορτ', 'ελ')).toBe(true);
    expect(showsInUnicode('ελλάδα')).toBe(true);
    expect(showsInUnicode('bücher-2024')).toBe(true);
  });
});
