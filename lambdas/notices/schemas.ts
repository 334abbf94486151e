import { z } from 'zod';
import { queryInteger } from '../shared/query-params';
import { NOTICE_TOPIC_NAMES, OPTIONAL_TOPICS } from '../shared/notice-topics';

/** The unsubscribe link's query: the account, the optional topic, the link's expiry and the signature over the three. */
export const UnsubscribeQuery = z.object({
  account: z.string().regex(/^acc_[0-9a-f]{24}$/, 'Not an account id'),
  topic: z
    .enum(OPTIONAL_TOPICS as [string, ...string[]])
    .meta({ description: 'An optional notice topic; mandatory ones cannot be unsubscribed from' }),
  exp: queryInteger({ min: 1, max: 99_999_999_999, message: 'Not an expiry time' }).meta({
    description: 'When the link stops working (Unix seconds): 90 days after its notice was sent',
  }),
  sig: z.string().regex(/^v\d{1,6}\.[0-9a-f]{64}$/, 'Not a link signature'),
});

/** What the link does, for the console's page (`Accept: application/json`); a browser gets the same as a plain page. */
export const UnsubscribeView = z
  .object({
    topic: z.enum(OPTIONAL_TOPICS as [string, ...string[]]),
    name: z.string().meta({ description: "The topic's name, e.g. Product updates" }),
    subscribed: z.boolean().meta({ description: 'Whether the topic still reaches the account (false once the link was used)' }),
    changed: z
      .boolean()
      .optional()
      .meta({ description: 'On the POST: whether this call switched the topic off (false: it was off already)' }),
    continues: z
      .array(z.object({ topic: z.enum(NOTICE_TOPIC_NAMES as [string, ...string[]]), name: z.string() }))
      .meta({ description: 'The mandatory topics, which keep coming whatever the preferences' }),
    expiresAt: z.string().meta({ format: 'date-time', description: 'When the link stops working' }),
  })
  .meta({ id: 'UnsubscribeLink' });
