import type { Mailer } from '../../shared/mailer';
import { type Messages, messagesFor } from '../messages';
import { lazy } from '../../shared/lazy';
import { type Vocabulary, vocabularies } from '../vocabulary';
import { bodyOf } from './classify';
import { type RequestRecords, requestMail } from './request-records';
import type { RequestStore } from './ports';
import { phrasePattern, words } from './text';
import { usageLogRetentionDays } from '../../shared/usage-logs';

/** The processing an account holder can object to, as account preferences. */
export interface OptOuts {
  analytics?: false;
  productUpdates?: false;
}

/**
 * Every marketing topic an account has, with the message a reply names it by: an objection to direct
 * marketing (art. 21(2)) switches off all of them. A new marketing topic is added here (and to the catalogues).
 */
export const MARKETING_TOPICS = { productUpdates: 'topic.productUpdates' } as const satisfies Record<
  Exclude<keyof OptOuts, 'analytics'>,
  `topic.${string}`
>;

/**
 * Starts the details of an objection opened for a restriction of processing (art. 18), which has no
 * request type of its own: what to restrict, and until when, is a person's decision, never a switch.
 */
export const RESTRICTION_NOTE =
  '[Restriction of processing asked (GDPR art. 18): a person decides what is restricted and tells the requester.]';

/** Port: sets the account's processing preferences. */
export interface PreferenceWriter {
  optOut(accountId: string, optOuts: OptOuts): Promise<void>;
}

const patterns = (pick: (v: Vocabulary) => string[]) =>
  lazy(() => vocabularies().flatMap((v) => pick(v).map((phrase) => phrasePattern(phrase))));
const MARKETING = patterns((v) => v.marketing);
const ANALYTICS = patterns((v) => v.analytics);

/**
 * What an objection stops, read from its words in any language of the vocabularies: usage analytics,
 * marketing (every marketing topic), or — when it names neither or both — both. Billing and security
 * processing are not optional and never stop here.
 */
export function optOutsFor(details: string | undefined): OptOuts {
  const text = words(bodyOf(details ?? ''));
  const analytics = ANALYTICS().some((p) => p.test(text));
  const marketing = MARKETING().some((p) => p.test(text));
  const allMarketing = Object.fromEntries(Object.keys(MARKETING_TOPICS).map((topic) => [topic, false])) as OptOuts;
  if (analytics && !marketing) return { analytics: false };
  if (marketing && !analytics) return allMarketing;
  return { analytics: false, ...allMarketing };
}

/** A restriction of processing rides on an objection; it is for a person. */
export const isRestriction = (details: string | undefined) => (details ?? '').startsWith(RESTRICTION_NOTE);

/** What an objection stops, in the words a reply in `m`'s language uses; `short` leaves out what it means for the holder. */
export function stoppedBy(optOuts: OptOuts, m: Messages = messagesFor('en'), short = false): string[] {
  return [
    ...(optOuts.analytics === false ? [m.t(short ? 'stop.analyticsShort' : 'stop.analytics')] : []),
    ...(Object.keys(MARKETING_TOPICS) as (keyof typeof MARKETING_TOPICS)[])
      .filter((topic) => optOuts[topic] === false)
      .map((topic) => m.t(MARKETING_TOPICS[topic])),
  ];
}

/** Applies a confirmed objection, tells the holder exactly what changed, and closes the request; a restriction goes to a person. */
export async function applyObjection(
  requestId: string,
  deps: { requests: RequestStore; preferences: PreferenceWriter; mailer: Mailer; lifecycle: RequestRecords },
): Promise<OptOuts> {
  const request = await deps.lifecycle.require(requestId);
  if (isRestriction(request.details)) {
    if (request.status !== 'completed')
      await deps.lifecycle.handToPerson(
        requestId,
        'restriction of processing (art. 18) asked: a person decides what is restricted',
        'restriction',
      );
    return {};
  }
  const optOuts = optOutsFor(request.details);
  if (request.status === 'completed') return optOuts;
  await deps.preferences.optOut(request.accountId, optOuts);
  await deps.lifecycle.mailOnce(requestId, 'objection', {
    to: request.email,
    ...requestMail(request, (m) => ({
      subject: m.t('objection.subject', { requestId }),
      paragraphs: [
        m.t('objection.stopped', { what: m.list(stoppedBy(optOuts, m)) }),
        m.t('objection.continues', { days: usageLogRetentionDays() }),
        m.t('objection.selfService', deps.lifecycle.links()),
      ],
    })),
  });
  await deps.lifecycle.close(requestId, 'completed', `objection applied: ${Object.keys(optOuts).join(', ')} off`, ['in_progress']);
  return optOuts;
}
