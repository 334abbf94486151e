import { NotFoundError } from '../shared/errors';

export { ConfigError } from '../shared/errors';

/** An unsubscribe link whose signature is not its account's and topic's. */
export class UnsubscribeLinkInvalidError extends NotFoundError {
  override readonly code = 'link_invalid';
  constructor() {
    super(
      'This unsubscribe link is not valid. Use the link of the newest notice we sent you, exactly as it was sent, or change your preferences in the console.',
    );
    this.name = 'UnsubscribeLinkInvalidError';
  }
}
