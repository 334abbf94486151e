import { createHmac, timingSafeEqual } from 'node:crypto';
import type { PseudonymKeySet } from '../../shared/pseudonyms';
import type { OptionalTopic } from '../../shared/notice-topics';

/**
 * One-click unsubscribe links (RFC 8058): per recipient and per topic, signed with a secret key
 * (HMAC-SHA256 of `unsubscribe:<account>:<topic>`, `v<key version>.<hex>`), so a link works without a
 * session and cannot be made for another account or topic. Keys rotate by version like the pseudonym
 * keys: a link signed under an older key still works while its version is kept.
 */
export function signUnsubscribe(keys: PseudonymKeySet, accountId: string, topic: OptionalTopic): string {
  return `v${keys.current}.${mac(keys.keys.get(keys.current)!, accountId, topic)}`;
}

/** Whether `signature` is this account's and topic's, under any key version kept. */
export function verifyUnsubscribe(keys: PseudonymKeySet, accountId: string, topic: string, signature: string): boolean {
  const match = /^v(\d{1,6})\.([0-9a-f]{64})$/.exec(signature);
  const key = match ? keys.keys.get(Number(match[1])) : undefined;
  if (!match || !key) return false;
  return timingSafeEqual(Buffer.from(match[2]!, 'hex'), Buffer.from(mac(key, accountId, topic), 'hex'));
}

/** The link a notice carries: GET shows a page with a button, POST (the button, or the mail client's one click) unsubscribes. */
export function unsubscribeUrl(publicUrl: string, keys: PseudonymKeySet, accountId: string, topic: OptionalTopic): string {
  const url = new URL('/v1/notices/unsubscribe', publicUrl);
  url.searchParams.set('account', accountId);
  url.searchParams.set('topic', topic);
  url.searchParams.set('sig', signUnsubscribe(keys, accountId, topic));
  return url.toString();
}

function mac(key: string, accountId: string, topic: string): string {
  return createHmac('sha256', key).update(`unsubscribe:${accountId}:${topic}`).digest('hex');
}
