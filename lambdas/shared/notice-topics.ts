/**
 * The topics of technical notices (`npm run ops -- notice send --topic …`). Mandatory topics go to
 * every verified account — the contract and the law require telling them — and carry no way to turn
 * them off, saying why; optional topics go only to those whose preference allows them, with an RFC 8058
 * one-click unsubscribe. A marketing topic is one an objection to direct marketing switches off.
 */
export const NOTICE_TOPICS = {
  security: {
    mandatory: true,
    name: 'Security notices',
    why: 'we must tell you about security incidents and actions that affect your account',
  },
  billing: { mandatory: true, name: 'Billing notices', why: 'they concern the money on your account: prices, charges and payments' },
  service: {
    mandatory: true,
    name: 'Service changes',
    why: 'our terms and the law require us to announce changes to the service you pay for',
  },
  deprecation: { mandatory: false, name: 'Deprecation digest', preference: 'deprecationNotices', defaultOn: true, marketing: false },
  product: { mandatory: false, name: 'Product updates', preference: 'productUpdates', defaultOn: false, marketing: true },
} as const;

export type NoticeTopic = keyof typeof NOTICE_TOPICS;
export const NOTICE_TOPIC_NAMES = Object.keys(NOTICE_TOPICS) as NoticeTopic[];
export type OptionalTopic = { [T in NoticeTopic]: (typeof NOTICE_TOPICS)[T]['mandatory'] extends false ? T : never }[NoticeTopic];
export const OPTIONAL_TOPICS = NOTICE_TOPIC_NAMES.filter((t): t is OptionalTopic => !NOTICE_TOPICS[t].mandatory);
/** The preference (on the account's `preferences`) that switches an optional topic on or off. */
export type TopicPreference = (typeof NOTICE_TOPICS)[OptionalTopic]['preference'];

export const isOptionalTopic = (topic: string): topic is OptionalTopic => OPTIONAL_TOPICS.includes(topic as OptionalTopic);

/** Whether an account's preferences let an optional topic reach it (an unset preference takes the topic's default). */
export function topicAllowed(topic: OptionalTopic, preferences: Partial<Record<string, unknown>> | undefined): boolean {
  const spec = NOTICE_TOPICS[topic];
  const value = preferences?.[spec.preference];
  return typeof value === 'boolean' ? value : spec.defaultOn;
}

/** How long a sent notice's job item is kept (its text stays in the audit trail). */
export const NOTICE_RETENTION_DAYS = 90;
/** How long a per-recipient delivery record is kept: far past any retry or resume of its job. */
export const DELIVERY_RECORD_DAYS = 30;
