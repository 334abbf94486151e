import { domainToASCII, domainToUnicode } from 'node:url';
import { displayDomain } from './idn-display';

/** The longest address a mail system takes (RFC 5321's path limit less its brackets), counted in its ASCII form. */
export const EMAIL_MAX = 254;
/** The longest address the API reads, as typed: a Unicode domain is longer once it is punycode. */
export const EMAIL_INPUT_MAX = 320;

/** A dot-atom of the characters addresses in practice use before the @ (zod's practical rule, which the API always took). */
const LOCAL_PART = /^(?:[A-Za-z0-9_'+-]+\.)*[A-Za-z0-9_'+-]*[A-Za-z0-9_+-]$/;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** A top-level domain: letters, or an internationalised one in its ASCII form (`xn--p1ai` is .рф). */
const TOP_LEVEL = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/** Default-ignorable code points: no glyph, no width (U+00AD, U+200B–U+200F, U+2060–U+2064, U+FEFF …). */
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/gu;

function split(address: string): { local: string; domain: string } | undefined {
  const at = address.lastIndexOf('@');
  return at <= 0 ? undefined : { local: address.slice(0, at), domain: address.slice(at + 1) };
}

/**
 * The one form an address is stored, compared and mailed in: in NFKC, trimmed, lower-cased, its domain
 * in ASCII (IDNA, UTS #46 as URLs do: `Anna@Bücher.DE` and `anna@xn--bcher-kva.de` are one address,
 * and so are `ａｎｎａ＠ｅｘａｍｐｌｅ．ｏｒｇ` and `anna@example.org`). Characters nobody sees (a zero-width
 * space or joiner, a soft hyphen, a word joiner: what a copy from a web page or a chat carries along)
 * are dropped before the @ as UTS #46 drops them after it: they cannot be part of an address mail
 * reaches, and the address typed is the one shown.
 * Every place that takes an address from outside (sign-up, sign-in, resets, email change, privacy
 * letters' senders, suppressions, the ops CLI) reads it through this. Never throws: a domain with
 * no ASCII form is only lower-cased, and `emailAddressProblem` refuses it.
 */
export function normaliseEmail(address: string): string {
  // Compatibility forms first (NFKC): an address typed in full width (`ａｎｎａ＠example.org`) is the ASCII one it shows.
  const trimmed = address.normalize('NFKC').trim();
  const parts = split(trimmed);
  if (!parts) return trimmed.toLowerCase();
  const local = parts.local.replace(INVISIBLE, '').toLowerCase();
  return `${local}@${domainToASCII(parts.domain) || parts.domain.toLowerCase()}`;
}

/**
 * Why no mail could reach this address through our mail service, in words for its owner; undefined
 * when it can. The domain may be internationalised (it is sent as punycode); the part before the @
 * must be ASCII: Amazon SES does not support SMTPUTF8 (RFC 6531), so such an address could sign up
 * but never receive its verification link.
 */
export function emailAddressProblem(address: string): string | undefined {
  const canonical = normaliseEmail(address);
  const parts = split(canonical);
  if (!parts?.domain) return 'Must be an email address';
  if (/[^\p{ASCII}]/u.test(parts.local))
    return "Must have only ASCII letters, digits and . _ ' + - before the @: our mail service cannot deliver to other characters there (the domain may have any, e.g. anna@bücher.de)";
  if (parts.local.length > 64 || !LOCAL_PART.test(parts.local)) return 'Must be an email address';
  const labels = parts.domain.split('.');
  if (
    parts.domain.length > 253 ||
    labels.length < 2 ||
    !labels.every((label) => LABEL.test(label)) ||
    !TOP_LEVEL.test(labels.at(-1)!) ||
    // The domain is its own ASCII form, and a label that says it is punycode decodes (`xn--zz` does not).
    domainToASCII(parts.domain) !== parts.domain ||
    labels.some((label) => label.startsWith('xn--') && domainToUnicode(label) === label)
  )
    return 'Must be an email address';
  if (canonical.length > EMAIL_MAX) return `Must be at most ${EMAIL_MAX} characters (its domain as punycode)`;
  return undefined;
}

/**
 * The mailbox a normalised address delivers to: its subaddress (`+tag`, RFC 5233) cut, as Gmail,
 * Outlook, iCloud and Fastmail deliver `anna+x@` to `anna@`. Not an identity (`anna+x@` is its own
 * account): what limits on mail sent to an address count, or one mailbox would take a limit's worth of
 * mail for every tag anyone makes up.
 */
export function mailboxOf(address: string): string {
  const parts = split(address);
  if (!parts) return address;
  const plus = parts.local.indexOf('+');
  return plus <= 0 ? address : `${parts.local.slice(0, plus)}@${parts.domain}`;
}

/**
 * Whether our mail service can send to an address from elsewhere (a letter's sender) as normalised:
 * something@domain.tld, all ASCII (SES has no SMTPUTF8). Looser than `emailAddressProblem`: a sender
 * is answered whatever ASCII characters their provider allows before the @.
 */
export function isMailable(address: string): boolean {
  return /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(address) && /^\p{ASCII}+$/u.test(address);
}

/**
 * An address as its owner writes it: the domain in Unicode (`anna@bücher.de`), for text people read —
 * but a label that would read as another domain (mixed scripts, Cyrillic or Greek letters that look
 * Latin: `showsInUnicode`) stays in its ASCII form, as browsers show it: a mail that says an account
 * now signs in with `ann@exаmple.org` must not read as its owner's own `ann@example.org`.
 */
export function displayEmail(address: string): string {
  const parts = split(address);
  if (!parts) return address;
  return `${parts.local}@${displayDomain(parts.domain, (label) => domainToUnicode(label) || label)}`;
}
