import { ConflictError, ForbiddenError, NotFoundError, UnauthorizedError, ValidationError } from '../../shared/errors';

/** Wrong email or password; deliberately says nothing about which. */
export class InvalidCredentialsError extends UnauthorizedError {
  override readonly code: string = 'invalid_credentials';
  constructor() {
    super('Email or password is wrong');
    this.name = 'InvalidCredentialsError';
  }
}

export class EmailNotVerifiedError extends ForbiddenError {
  override readonly code: string = 'email_not_verified';
  constructor() {
    super('Confirm your email address first: follow the link we sent you');
    this.name = 'EmailNotVerifiedError';
  }
}

export class InvalidTokenError extends ValidationError {
  constructor() {
    super('This link is invalid, expired or already used', [], 'invalid_token');
    this.name = 'InvalidTokenError';
  }
}

export class WeakPasswordError extends ValidationError {
  constructor(reason: string) {
    super(reason, [{ path: 'body.password', message: reason }], 'weak_password');
    this.name = 'WeakPasswordError';
  }
}

export class EmailTakenError extends ConflictError {
  constructor() {
    super('That email address belongs to another account', 'email_taken');
    this.name = 'EmailTakenError';
  }
}

export class KeyLimitError extends ConflictError {
  constructor(limit: number) {
    super(`An account can hold at most ${limit} keys; revoke one first`, 'key_limit');
    this.name = 'KeyLimitError';
  }
}

/** A key rolled from one whose secret still works: one old secret per key at a time (revoke it, or wait for its grace to end). */
export class KeyRollPendingError extends ConflictError {
  constructor(previous: string, graceUntil: string | undefined) {
    super(
      `The secret this key replaced (${previous}) still works${graceUntil ? ` until ${graceUntil}` : ''}: revoke it first, or roll once it has stopped`,
      'roll_pending',
    );
    this.name = 'KeyRollPendingError';
  }
}

/** Keys kept being created and revoked while this creation counted them: retry. */
export class KeyCreationContendedError extends ConflictError {
  constructor() {
    super('Keys of this account are being created and revoked at the same time; try again', 'key_creation_contended');
    this.name = 'KeyCreationContendedError';
  }
}

export class KeyNotFoundError extends NotFoundError {
  constructor() {
    super('No such key');
    this.name = 'KeyNotFoundError';
  }
}

export class SessionNotFoundError extends NotFoundError {
  constructor() {
    super('No such session');
    this.name = 'SessionNotFoundError';
  }
}

/** An email change asks for the current password: a stolen session alone must not take the account over. */
export class CurrentPasswordRequiredError extends ValidationError {
  constructor(why: string) {
    super(`body.currentPassword: ${why}`, [{ path: 'body.currentPassword', message: why }], 'current_password_required');
    this.name = 'CurrentPasswordRequiredError';
  }
}
