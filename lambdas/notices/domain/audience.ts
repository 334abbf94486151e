import { isOptionalTopic, NOTICE_TOPICS, type NoticeTopic, topicAllowed } from '../../shared/notice-topics';
import type { Exclusion, Recipient, Segment } from './model';

/**
 * Whether a notice of `topic` for `segment` goes to this account now: mandatory topics go to every
 * verified address, optional ones only where the preference allows them; no topic goes to a
 * suppressed address (it bounced or complained). The ops dry run, the job and the sender (just
 * before it sends, so a preference changed meanwhile is honoured) all decide here.
 */
export function exclusionOf(recipient: Recipient, topic: NoticeTopic, segment: Segment, suppressed: boolean): Exclusion | undefined {
  if (segment.plan !== undefined && recipient.plan !== segment.plan) return 'not_in_segment';
  if (!recipient.emailVerified) return 'unverified';
  if (isOptionalTopic(topic) && !topicAllowed(topic, recipient.preferences)) return 'opted_out';
  if (suppressed) return 'suppressed';
  return undefined;
}

/**
 * `plan=pro` → `{ plan: 'pro' }` when `plans` (the stage's) has it; anything else names what is
 * supported — a misspelt plan would otherwise make a notice for nobody.
 */
export function parseSegment(text: string | undefined, plans: readonly string[]): Segment {
  if (!text) return {};
  const match = /^plan=([a-z0-9_-]{1,40})$/.exec(text.trim());
  if (!match) throw new Error(`--segment takes plan=<plan>, e.g. plan=pro (got ${text})`);
  if (!plans.includes(match[1]!)) throw new Error(`--segment plan=${match[1]}: no such plan; the plans are ${plans.join(', ')}`);
  return { plan: match[1] };
}

/** Why others would not receive it, in words for the dry run. */
export function exclusionReason(why: Exclusion, topic: NoticeTopic): string {
  switch (why) {
    case 'unverified':
      return 'the address was never verified';
    case 'opted_out':
      return isOptionalTopic(topic) ? `their ${NOTICE_TOPICS[topic].preference} preference is off` : 'opted out';
    case 'suppressed':
      return 'the address bounced or complained (suppression list)';
    case 'not_in_segment':
      return 'outside the segment';
  }
}
