import { createHmac, timingSafeEqual } from 'node:crypto';
import { CONSOLE_PAGES } from '../../shared/console-links';
import type { OptionalTopic } from '../../shared/notice-topics';
import type { PseudonymKeySet } from '../../shared/pseudonyms';

/**
 * How long an unsubscribe link works after its notice was sent: three times the 30 days US CAN-SPAM
 * asks an opt-out to keep working, so a digest read late still stops with one click. After that a
 * person switches the topic off in the console's settings (the expired page says so).
 */
export const UNSUBSCRIBE_LINK_DAYS = 90;

/** What a link's query carries: the account, the optional topic, when the link stops working (epoch seconds), and the signature over the three. */
export interface UnsubscribeLink {
  account: string;
  topic: string;
  exp: number;
  sig: string;
}

/** Where one recipient's link points: the console page the mail's text links to, and the one-click URL of `List-Unsubscribe`. */
export interface UnsubscribeLinks {
  page: string;
  oneClick: string;
  expiresAt: Date;
}

/**
 * One-click unsubscribe links (RFC 8058): per recipient and per topic, expiring, signed with a secret
 * key (HMAC-SHA256 of `unsubscribe:<account>:<topic>:<exp>`, `v<key version>.<hex>`), so a link works
 * without a session and cannot be made for another account or topic, nor given a longer life. Keys
 * rotate by version like the pseudonym keys: a link signed under an older key works while its version is kept.
 */
export function signUnsubscribe(keys: PseudonymKeySet, accountId: string, topic: OptionalTopic, exp: number): string {
  return `v${keys.current}.${mac(keys.keys.get(keys.current)!, accountId, topic, exp)}`;
}

/**
 * What a link is worth at `now`: `invalid` when its signature is not its account's, topic's and
 * expiry's under a key kept (altered, made up, or its key retired), else `expired` past its expiry,
 * else `valid`. The signature is checked first: an altered expiry is a forgery, not an old link.
 */
export function checkUnsubscribe(keys: PseudonymKeySet, link: UnsubscribeLink, now: Date): 'valid' | 'expired' | 'invalid' {
  const match = /^v(\d{1,6})\.([0-9a-f]{64})$/.exec(link.sig);
  const key = match ? keys.keys.get(Number(match[1])) : undefined;
  if (!match || !key) return 'invalid';
  if (!timingSafeEqual(Buffer.from(match[2]!, 'hex'), Buffer.from(mac(key, link.account, link.topic, link.exp), 'hex'))) return 'invalid';
  return now.getTime() >= link.exp * 1000 ? 'expired' : 'valid';
}

/**
 * A recipient's links for a notice sent at `sentAt`: the console page (`/notices/unsubscribe`) the
 * text links to — a person opens it, it says what stops and a button unsubscribes — and the API URL
 * mail clients POST to for RFC 8058's one click (a GET of it shows the same as a plain page).
 */
export function unsubscribeLinks(
  publicUrl: string,
  keys: PseudonymKeySet,
  accountId: string,
  topic: OptionalTopic,
  sentAt: Date,
): UnsubscribeLinks {
  const exp = Math.floor(sentAt.getTime() / 1000) + UNSUBSCRIBE_LINK_DAYS * 86_400;
  const query = new URLSearchParams({ account: accountId, topic, exp: String(exp), sig: signUnsubscribe(keys, accountId, topic, exp) });
  const base = publicUrl.replace(/\/$/, '');
  return {
    page: `${base}${CONSOLE_PAGES.unsubscribe}?${query}`,
    oneClick: `${base}/v1/notices/unsubscribe?${query}`,
    expiresAt: new Date(exp * 1000),
  };
}

function mac(key: string, accountId: string, topic: string, exp: number): string {
  return createHmac('sha256', key).update(`unsubscribe:${accountId}:${topic}:${exp}`).digest('hex');
}
