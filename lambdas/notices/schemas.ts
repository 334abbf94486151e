import { z } from 'zod';
import { OPTIONAL_TOPICS } from '../shared/notice-topics';

/** The one-click link's query: the account, the optional topic and the signature over both. */
export const UnsubscribeQuery = z.object({
  account: z.string().regex(/^acc_[0-9a-f]{24}$/, 'Not an account id'),
  topic: z
    .enum(OPTIONAL_TOPICS as [string, ...string[]])
    .meta({ description: 'An optional notice topic; mandatory ones cannot be unsubscribed from' }),
  sig: z.string().regex(/^v\d{1,6}\.[0-9a-f]{64}$/, 'Not a link signature'),
});
