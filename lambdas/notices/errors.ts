import { GoneError, NotFoundError } from '../shared/errors';

export { ConfigError } from '../shared/errors';

/** An unsubscribe link whose signature is not its account's, topic's and expiry's: altered or made up. */
export class UnsubscribeLinkInvalidError extends NotFoundError {
  override readonly code = 'link_invalid';
  constructor() {
    super(
      'This unsubscribe link is not valid: it was changed or cut short on the way. Nothing was changed. Open the link of the newest notice exactly as it was sent, or sign in to the console and switch the topic off under Settings → Mail preferences.',
    );
    this.name = 'UnsubscribeLinkInvalidError';
  }
}

/** A genuine unsubscribe link past its expiry. */
export class UnsubscribeLinkExpiredError extends GoneError {
  constructor(readonly expiredAt: Date) {
    super(
      `This unsubscribe link expired on ${expiredAt.toISOString().slice(0, 10)}: links work for 90 days after their notice. Nothing was changed. Sign in to the console and switch the topic off under Settings → Mail preferences, or use the link in a newer notice.`,
      'link_expired',
    );
    this.name = 'UnsubscribeLinkExpiredError';
  }
}

/** A genuine link whose account no longer exists (erased): nothing is mailed to it any more. */
export class UnsubscribeAccountGoneError extends NotFoundError {
  override readonly code = 'account_gone';
  constructor() {
    super('The account this link was sent to no longer exists, so no notice goes to it any more. Nothing needs to be done.');
    this.name = 'UnsubscribeAccountGoneError';
  }
}
