import { ConflictError, ForbiddenError, GoneError, NotFoundError, TooManyRequestsError } from '../shared/errors';

export class RequestNotFoundError extends NotFoundError {
  constructor() {
    super('No such privacy request');
    this.name = 'RequestNotFoundError';
  }
}

/** A confirmation or download link that was used, or whose time is up. */
export class LinkGoneError extends GoneError {
  constructor(reason: 'used' | 'expired' | 'closed') {
    super(
      reason === 'used'
        ? 'This link was already used: each link works once.'
        : reason === 'expired'
          ? 'This link has expired. Write to privacy@omnapi.com again, or sign in and open a new request.'
          : 'This request is closed; the link no longer does anything.',
      `link_${reason}`,
    );
    this.name = 'LinkGoneError';
  }
}

/** A link whose token does not belong to the request it names. */
export class LinkInvalidError extends NotFoundError {
  override readonly code = 'link_invalid';
  constructor() {
    super('This link is not valid. Use the newest link we mailed you, exactly as it was sent.');
    this.name = 'LinkInvalidError';
  }
}

/** The password that was to confirm an erasure is not the account's. */
export class PasswordRejectedError extends ForbiddenError {
  override readonly code: string = 'password_incorrect';
  constructor() {
    super('That is not the password of this account; nothing was requested. Or ask by mail to privacy@ and confirm with the link we send.');
    this.name = 'PasswordRejectedError';
  }
}

/** Too many passwords tried for an erasure: a stolen session must not be a password oracle. */
export class PasswordAttemptsError extends TooManyRequestsError {
  override readonly code = 'too_many_password_attempts';
  constructor(retryAfterSeconds: number) {
    super('Too many passwords tried; wait, or ask by mail to privacy@ instead', retryAfterSeconds);
    this.name = 'PasswordAttemptsError';
  }
}

export class PrivacyFloodError extends TooManyRequestsError {
  override readonly code = 'too_many_privacy_requests';
  constructor(retryAfterSeconds: number) {
    super('Too many privacy requests today; the open ones are being handled', retryAfterSeconds);
    this.name = 'PrivacyFloodError';
  }
}

/**
 * A request of this type is being opened for the account at this very moment (its claim is written,
 * the request not yet stored): asked again in a moment, this one joins it.
 */
export class PrivacyRequestOpeningError extends ConflictError {
  constructor() {
    super('A request of this type is being opened for your account right now; ask again in a moment to see it', 'privacy_request_opening');
    this.name = 'PrivacyRequestOpeningError';
  }
}

/** The workflow met a request in a state it cannot act on (a bug or a manual change): the request fails loudly. */
export class RequestStateError extends ConflictError {
  constructor(requestId: string, status: string, step: string) {
    super(`Privacy request ${requestId} is ${status}; step ${step} cannot run`, 'request_state');
    this.name = 'RequestStateError';
  }
}

/** An operator tried to classify unclear mail that is unknown or already decided. */
export class UnclearMailClosedError extends ConflictError {
  constructor(ticketId: string, status: string | undefined) {
    super(
      status ? `Unclear mail ${ticketId} was already ${status}` : `No unclear privacy mail with ticket ${ticketId}`,
      'unclear_mail_closed',
    );
    this.name = 'UnclearMailClosedError';
  }
}
