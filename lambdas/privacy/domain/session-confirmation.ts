import type { PrivacyRequest } from './model';

/**
 * Whether the signed-in holder's API call may stand for the confirmation a request waits for, when
 * that call joined it (the same right asked again while its mailed link is unused):
 * - the session is the proof of identity the link would have given, so access, portability and a
 *   request opened through the API are confirmed by it;
 * - an erasure also needs the account's password in that call (a session alone must not delete an account);
 * - a correction or objection that came by mail never is: its words may be someone else's (a forged
 *   From), so only its link — whose page shows those words — confirms it.
 */
export function sessionMayConfirm(
  request: Pick<PrivacyRequest, 'channel' | 'type' | 'status'>,
  call: { joined: boolean; withPassword: boolean },
): boolean {
  if (!call.joined || request.status !== 'awaiting_confirmation') return false;
  if (request.channel === 'mail' && (request.type === 'correction' || request.type === 'objection')) return false;
  return request.type !== 'deletion' || call.withPassword;
}
