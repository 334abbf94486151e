import type { components } from './api/openapi';

type AuditEvent = components['schemas']['AuditEvent'];

/**
 * What each audit action means, in the holder's words. A unit test holds this to the API's list
 * (`AUDIT_ACTIONS`), so a new action cannot reach the page unexplained.
 */
export const ACTION_TEXT: Record<string, string> = {
  'account.update': 'Profile changed',
  'preferences.set': 'Preferences changed',
  'password.change': 'Password changed',
  'password.reset': 'Password reset through a mailed link',
  'email.verify': 'Email address confirmed',
  'email.change': 'Email address changed',
  'sign_in.unlock': 'Sign-in pause lifted through a mailed link',
  'session.revoke': 'Session signed out',
  'session.end': 'Signed out',
  'key.create': 'API key created',
  'key.roll': 'API key rolled (a new secret; the old one works until its grace period ends)',
  'key.revoke': 'API key revoked',
  'checkout.start': 'Credit purchase started',
  'checkout.cancel': 'Credit purchase cancelled',
  'privacy.request': 'Privacy request opened',
  'privacy.confirm': 'Privacy request confirmed',
  'privacy.cancel': 'Deletion cancelled',
  'credits.grant': 'Credits granted',
  'credits.adjust': 'Credit balance corrected',
  'plan.set': 'Plan changed',
  'account.suspend': 'Account suspended',
  'account.unsuspend': 'Account suspension lifted',
  'legal_hold.set': 'Legal hold placed (data kept past a deletion while a legal matter is open)',
  'legal_hold.clear': 'Legal hold lifted',
  'privacy.extend': 'Privacy request deadline extended',
  'privacy.start_now': 'Deletion started before its cooling-off ended',
  'privacy.retry': 'Privacy request retried after a failure',
  'privacy.erase': 'Data erased',
  'privacy.classify': 'Privacy mail classified by an operator',
  'stripe.event_sent': 'Payment event replayed by an operator',
  'usage.replay': 'Usage records replayed',
  'usage.retention': 'Usage log retention shortened',
  'ticket.reply': 'Support ticket answered',
  'ticket.close': 'Support ticket closed',
  'notice.send': 'Technical notice sent',
  'notice.resume': 'Technical notice sending resumed',
  'notice.unsubscribe': 'Unsubscribed from a notice topic',
};

/** The kinds of action the page's filter offers, as the API names them (the word before the dot). */
export const ACTION_KINDS: [string, string][] = [
  ['key', 'API keys'],
  ['session', 'Sessions'],
  ['sign_in', 'Sign-in'],
  ['password', 'Password'],
  ['email', 'Email address'],
  ['account', 'Account and profile'],
  ['preferences', 'Preferences'],
  ['notice', 'Notices'],
  ['checkout', 'Purchases'],
  ['credits', 'Credits'],
  ['plan', 'Plan'],
  ['privacy', 'Privacy requests'],
  ['legal_hold', 'Legal holds'],
  ['ticket', 'Support tickets'],
  ['stripe', 'Payments'],
  ['usage', 'Usage records'],
];

/** The action in words; an action this console does not know yet is shown by its name. */
export function describeAction(action: string): string {
  return ACTION_TEXT[action] ?? action;
}

/** Who acted, in words: the holder (and how), an operator, or the platform — never an operator's internal identity. */
export function describeActor(actor: AuditEvent['actor']): string {
  if (actor.type === 'operator') return 'OmnAPI staff';
  if (actor.type === 'system') return 'OmnAPI, automatically';
  const via = actor.via ?? '';
  if (via.startsWith('session:')) return 'You, signed in';
  if (via.startsWith('key:')) return 'You, with an API key';
  if (via.startsWith('link:')) return 'You, through a link we mailed';
  return 'You';
}

/** Names a value must not be shown under, whatever an event carries. */
const SECRET_NAMES = /secret|password|token|hash|signature|^sig$|cookie|authorization|credential/i;
/** A change's values are shown up to this length; longer ones are cut, with a mark. */
const MAX_VALUE_CHARS = 200;
/** Fields of a change shown at most: a large change is summarised, not dumped. */
const MAX_FIELDS = 12;

/** One changed field: its name and the value before and after, as display text (`undefined`: not recorded). */
export interface ChangedField {
  field: string;
  before?: string;
  after?: string;
}

/** A list of plain values (the names of the fields a profile change touched) reads as words; anything else as JSON. */
const isPlainList = (value: unknown): value is (string | number | boolean)[] =>
  Array.isArray(value) && value.length > 0 && value.every((v) => ['string', 'number', 'boolean'].includes(typeof v));

type Plain = string | number | boolean | null;
const isPlain = (value: unknown): value is Plain => value === null || ['string', 'number', 'boolean'].includes(typeof value);
/** A small record of plain values (`{ type: 'portability', status: 'confirmed' }`, a letter's requests). */
const isPlainRecord = (value: unknown): value is Record<string, Plain> =>
  !!value && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every(isPlain);

/** A plain record in words, `type portability, status confirmed`, with what is named like a secret hidden. */
function recordInWords(record: Record<string, Plain>): string {
  return Object.entries(record)
    .map(([name, value]) => `${name} ${SECRET_NAMES.test(name) ? '(hidden)' : (value ?? 'none')}`)
    .join(', ');
}

function display(value: unknown): string {
  const text =
    typeof value === 'string'
      ? value
      : value === null
        ? 'none'
        : isPlainList(value)
          ? value.join(', ')
          : isPlainRecord(value)
            ? recordInWords(value)
            : Array.isArray(value) && value.length > 0 && value.every(isPlainRecord)
              ? value.map(recordInWords).join('; ')
              : JSON.stringify(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}… (${text.length.toLocaleString()} characters)` : text;
}

function redacted(field: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return SECRET_NAMES.test(field) ? '(hidden)' : display(value);
}

/**
 * What changed, field by field: a change is `{ before?, after? }` of small objects (or a list of them);
 * anything else is one field. Values under a secret-looking name are hidden, long values cut, and
 * at most a dozen fields are listed (the rest counted), so no event can flood the page or leak a secret.
 */
export function changedFields(change: unknown): { fields: ChangedField[]; more: number } {
  if (!change || typeof change !== 'object') return { fields: [], more: 0 };
  const { before, after } = change as { before?: unknown; after?: unknown };
  const asRecord = (v: unknown): Record<string, unknown> | undefined =>
    v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  const b = asRecord(before);
  const a = asRecord(after);
  if ((before !== undefined && !b) || (after !== undefined && !a)) {
    return { fields: [{ field: 'value', before: redacted('value', before), after: redacted('value', after) }], more: 0 };
  }
  const names = [...new Set([...Object.keys(b ?? {}), ...Object.keys(a ?? {})])];
  const fields = names
    .slice(0, MAX_FIELDS)
    .map((field) => ({ field, before: redacted(field, b?.[field]), after: redacted(field, a?.[field]) }));
  return { fields, more: Math.max(0, names.length - MAX_FIELDS) };
}

/** The things an event names besides the account itself (a key, a session, a request), as `kind id`. */
export function otherTargets(event: AuditEvent): string[] {
  return event.targets.filter((t) => t.type !== 'account').map((t) => `${t.type.replace(/_/g, ' ')} ${t.id}`);
}
