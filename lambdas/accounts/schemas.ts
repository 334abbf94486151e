import { z } from 'zod';
import { queryInteger, queryTime } from '../shared/query-params';
import { AUDIT_ACTION_KINDS, AUDIT_ACTIONS } from '../shared/audit';
import { EMAIL_INPUT_MAX, emailAddressProblem } from '../shared/email-address';
import { ACCOUNT_FIELDS } from '../shared/profile-fields';
import { PASSWORD_MAX } from './domain/passwords';

/**
 * An address mail can reach: the domain may be internationalised (`anna@bücher.de`, kept and sent as
 * punycode), the part before the @ must be ASCII (SES has no SMTPUTF8). The domain reads it in its one
 * form (normaliseEmail).
 */
const email = z
  .string()
  .max(EMAIL_INPUT_MAX)
  .superRefine((value, ctx) => {
    const problem = emailAddressProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .meta({
    format: 'idn-email',
    description:
      'An email address; an internationalised domain (anna@bücher.de) is stored, compared and mailed as punycode (anna@xn--bcher-kva.de), one address either way. ASCII only before the @',
  });
const name = ACCOUNT_FIELDS.name;
// One rule for a password's length, the domain's (with the reason given, `weak_password`), wherever one is set: a cap
// here as well would refuse a longer one under another code. The body limit (64 KiB) bounds what reaches it.
const password = z
  .string()
  .min(1, 'Must not be empty')
  .meta({ description: `At most ${PASSWORD_MAX} characters as hashed (NFKC); a new one that is longer is refused as weak_password` });
const isoTime = z.string().meta({ format: 'date-time' });
const isLanguageTag = (tag: string) => {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
};

const profileFields = ACCOUNT_FIELDS;
const CREDIT_AMOUNT = 'A credit amount as a JSON string, e.g. "10" or "2.5" (at most 6 decimals), or null for off';

export const Profile = z
  .strictObject({
    company: profileFields.company.optional(),
    website: profileFields.website.optional(),
    country: profileFields.country.optional(),
    bio: profileFields.bio.optional(),
  })
  .meta({ id: 'Profile' });

/** A change of the profile, as a JSON merge patch (RFC 7396): a field given is set, `null` removes it, one left out stays. */
export const ProfilePatch = z
  .strictObject({
    company: profileFields.company.nullable().optional(),
    website: profileFields.website.nullable().optional(),
    country: profileFields.country.nullable().optional(),
    bio: profileFields.bio.nullable().optional(),
  })
  .meta({ id: 'ProfilePatch' });

export const Preferences = z
  .strictObject({
    productUpdates: z.boolean().meta({
      description:
        'Product-update mail, the `product` notice topic (off unless chosen; marketing: an objection to direct marketing turns it off)',
    }),
    deprecationNotices: z.boolean().optional().meta({
      description:
        'The deprecation digest, the `deprecation` notice topic (on unless turned off). Security, billing and service notices cannot be turned off',
    }),
    analytics: z.boolean().meta({ description: 'Usage analytics beyond billing (on unless objected to)' }),
    lowBalanceCredits: z
      // A credit amount is a string (six decimals stay exact): the message says so, or a client sent 10 would be told to send 10.
      .string({ error: (issue) => (issue.input === undefined ? undefined : CREDIT_AMOUNT) })
      .regex(/^\d{1,9}(\.\d{1,6})?$/, CREDIT_AMOUNT)
      // The notice comes when the balance falls below the threshold, which it never does below 0: a 0 would be "on" and never mail.
      .refine((credits) => /[1-9]/.test(credits), 'Must be more than 0: the mail comes when the balance falls below it (null turns it off)')
      .nullable()
      .optional()
      .meta({ description: 'Mail me once when my balance falls below this many credits; null turns it off' }),
    locale: z
      .string()
      .max(35)
      .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'A language tag (BCP 47), e.g. de or pt-BR')
      .refine(isLanguageTag, 'Not a valid language tag (BCP 47), e.g. de or pt-BR')
      .optional()
      .meta({
        description:
          'The language of privacy mails and pages answering my requests (BCP 47, e.g. de); languages we do not write get English',
      }),
  })
  .meta({ id: 'Preferences' });

export const SignupBody = z.object({ name, email, password, profile: Profile.optional() });
export const LoginBody = z.object({ email, password });
const linkToken = z.string().min(16).max(200);
export const VerifyQuery = z.object({ token: linkToken });
export const EmailBody = z.object({ email });
export const PasswordResetBody = z.object({ token: linkToken.meta({ description: 'The token of the mailed link' }), password });
export const UpdateAccountBody = z
  .object({
    name: name.optional(),
    email: email.optional(),
    profile: ProfilePatch.optional().meta({ description: 'Fields to set; null removes a field, and one left out is kept' }),
    currentPassword: password.optional().meta({ description: 'Required with a new email' }),
  })
  .refine((body) => [body.name, body.email, body.profile].some((v) => v !== undefined), 'Give at least one of name, email, profile');
export const ChangePasswordBody = z.object({ currentPassword: password, newPassword: password });
export const LimitQuery = z.object({
  limit: queryInteger({ min: 1, max: 100, default: 50 }),
  cursor: z.string().max(400).optional().meta({ description: 'nextCursor of the previous page' }),
});
/** The account's audit trail: a page, and what to keep of it (the filters run in the API). */
export const AuditQuery = LimitQuery.extend({
  action: z
    .enum([...AUDIT_ACTIONS, ...AUDIT_ACTION_KINDS] as [string, ...string[]])
    .optional()
    .meta({ description: 'One action (key.roll) or a kind of action (key: every key.* action)' }),
  actor: z
    .enum(['account', 'operator', 'system'])
    .optional()
    .meta({ description: 'Who acted: the holder (by session, key or mailed link), an OmnAPI operator, or the platform itself' }),
  from: queryTime()
    .transform((t) => new Date(t).toISOString())
    .optional()
    .meta({ description: 'No event before this time' }),
  to: queryTime()
    .transform((t) => new Date(t).toISOString())
    .optional()
    .meta({ description: 'No event after this time' }),
}).refine((q) => !q.from || !q.to || q.from <= q.to, { path: ['to'], message: 'Must not be before from' });
const recentSignInPassword = password.optional().meta({ description: 'Required when the session signed in more than 10 minutes ago' });
export const CreateKeyBody = z.object({ name, currentPassword: recentSignInPassword });
/** A roll hands out a new secret as a creation does: an older session proves its caller again. */
export const RollKeyBody = z.object({ currentPassword: recentSignInPassword });

export const SignupResult = z.object({ status: z.literal('verification_sent'), message: z.string() });
export const NeutralResult = z.object({ status: z.literal('accepted'), message: z.string() });
export const PasswordResetResult = z.object({ status: z.literal('password_reset'), sessionsRevoked: z.number().int() });
export const VerifyResult = z.object({ status: z.enum(['verified', 'email_changed', 'sign_in_unlocked']) });
export const LoginResult = z.object({ token: z.string(), sessionId: z.string(), accountId: z.string(), expiresAt: isoTime });
export const AccountView = z
  .object({
    accountId: z.string(),
    email: z.string(),
    name: z.string(),
    profile: Profile,
    preferences: Preferences,
    emailVerified: z.boolean(),
    plan: z.string(),
    status: z.enum(['active', 'suspended']).optional(),
    stripeCustomerId: z.string().optional(),
    createdAt: isoTime,
    updatedAt: isoTime,
    pendingEmail: z.string().optional().meta({ description: 'Set when a new address awaits confirmation' }),
  })
  .meta({ id: 'Account' });
export const SessionView = z.object({
  sessionId: z.string(),
  accountId: z.string(),
  ip: z.string(),
  userAgent: z.string(),
  createdAt: isoTime,
  expiresAt: z.number().int(),
  current: z.boolean(),
});
export const SecurityEventView = z.object({
  eventId: z.string(),
  accountId: z.string(),
  type: z.string(),
  ip: z.string(),
  userAgent: z.string(),
  at: isoTime,
  detail: z.record(z.string(), z.string()).optional(),
});
export const KeyView = z
  .object({
    keyId: z.string(),
    prefix: z.string(),
    name: z.string(),
    plan: z.string(),
    status: z.enum(['active', 'rolling', 'revoked']),
    createdAt: isoTime,
    graceUntil: isoTime.optional(),
    revokedAt: isoTime.optional(),
    replacedBy: z.string().optional(),
    lastUsedAt: isoTime.optional().meta({ description: 'The newest call made with the key within the 90 days of call logs' }),
    lastUsedIp: z.string().optional().meta({ description: 'The address that call came from' }),
  })
  .meta({ id: 'ApiKey' });

/** One audit event as its account's holder sees it (operators' own stream is never shown). */
export const AuditEventView = z
  .looseObject({
    eventId: z.string(),
    seq: z.number().int(),
    action: z.string(),
    actor: z.object({ type: z.enum(['account', 'operator', 'system']), id: z.string(), via: z.string().optional() }),
    targets: z.array(z.object({ type: z.string(), id: z.string() })),
    context: z.object({ ip: z.string().optional(), userAgent: z.string().optional(), requestId: z.string().optional() }).optional(),
    reason: z.string().optional(),
    change: z
      .object({ before: z.unknown().optional(), after: z.unknown().optional() })
      .optional()
      .meta({ description: 'What changed, when small: before → after' }),
    at: isoTime,
    prevHash: z.string(),
    hash: z.string(),
  })
  .meta({ id: 'AuditEvent' });
