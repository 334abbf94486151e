/** Security events: what happened to an account, from where; kept a year and shown to their owner. */
import { clip } from './clip';
import { newId } from './crypto';

export type SecurityEventType =
  | 'signup'
  | 'email_verified'
  | 'login_succeeded'
  | 'login_failed'
  | 'login_throttled'
  | 'logout'
  | 'session_revoked'
  | 'password_changed'
  | 'password_reset_requested'
  | 'password_reset'
  | 'verification_resent'
  | 'email_change_requested'
  | 'email_changed'
  | 'key_created'
  | 'key_revoked'
  | 'key_rolled'
  | 'login_under_attack'
  | 'login_unlocked'
  | 'checkout_started'
  | 'purchase_mismatch'
  | 'purchase_credited'
  | 'account_suspended'
  | 'account_unsuspended'
  | 'key_seen_from_many_addresses';

export interface SecurityEvent {
  eventId: string;
  accountId: string;
  type: SecurityEventType;
  ip: string;
  userAgent: string;
  at: string;
  detail?: Record<string, string>;
}

/** Who is calling and from where, as the edge saw it. */
export interface RequestOrigin {
  ip: string;
  userAgent: string;
}

/** Longest user agent kept on sessions, events and logs. */
export const MAX_USER_AGENT = 512;

/** A security event as it is recorded: a fresh id, the origin's IP and (trimmed) user agent, the time. */
export function securityEvent(
  accountId: string,
  type: SecurityEventType,
  origin: RequestOrigin,
  at: Date,
  detail?: Record<string, string>,
): SecurityEvent {
  return {
    eventId: newId('evt'),
    accountId,
    type,
    ip: origin.ip,
    userAgent: clip(origin.userAgent, MAX_USER_AGENT),
    at: at.toISOString(),
    detail,
  };
}
