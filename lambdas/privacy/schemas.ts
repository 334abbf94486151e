import { z } from 'zod';
import { REQUEST_STATUSES, REQUEST_TYPES } from './domain/model';

const iso = z.string().meta({ format: 'date-time' });
const requestId = z.string().regex(/^prq_[0-9a-f]{24}$/, 'Not a privacy request id');

export const OpenRequestBody = z
  .object({
    type: z.enum(REQUEST_TYPES),
    details: z.string().trim().max(5_000).optional().meta({ description: 'What you want corrected, or anything we should know' }),
    password: z.string().min(1).max(1_000).optional().meta({
      description: "Deletion only: the account's password confirms it at once; without it, a link is mailed to the registered address",
    }),
  })
  .refine((body) => body.password === undefined || body.type === 'deletion', {
    path: ['password'],
    message: 'only a deletion is confirmed with the password',
  });
export const RequestIdPath = z.object({ id: requestId });
export const LinkQuery = z.object({ request: requestId, token: z.string().min(16).max(200) });
export const DownloadQuery = z.object({ token: z.string().min(16).max(200) });
/**
 * What a confirmation or cancel link's page shows, in the request's language, for the console: the
 * request, its due date, the page's texts (from the privacy message catalogues) and, for a deletion,
 * what it costs before it is confirmed.
 */
export const LinkPageView = z
  .object({
    request: z.object({
      requestId: z.string(),
      type: z.enum(REQUEST_TYPES),
      status: z.enum(REQUEST_STATUSES),
      receivedAt: z.string().meta({ format: 'date-time' }),
      dueAt: z.string().meta({ format: 'date-time' }).meta({ description: 'The legal deadline to answer by' }),
      erasureStartsAt: z
        .string()
        .meta({ format: 'date-time' })
        .optional()
        .meta({ description: 'A deletion in its cooling-off: when erasure starts' }),
    }),
    locale: z.string().meta({ description: "The language of the texts (the request's; BCP 47)" }),
    texts: z.object({
      title: z.string(),
      paragraphs: z.array(z.string()),
      button: z.string().optional().meta({ description: 'The label of the action, when there is one to take' }),
      labels: z
        .object({ dueBy: z.string(), erasureStarts: z.string() })
        .meta({ description: "The page's field labels: the request's due date and, for a deletion, when erasure starts" }),
    }),
    deletion: z
      .object({
        paidCredits: z.string().meta({ description: 'Paid credits still on the account, lost with it (decimal string)' }),
        coolingOffHours: z.number().meta({ description: 'How long the deletion waits, cancellable, once confirmed' }),
      })
      .optional(),
  })
  .meta({ id: 'PrivacyLinkPage' });

/** The confirmation page posts an HTML form (no script): `request=…&token=…`; the console may post the same as JSON. */
export const ConfirmForm = LinkQuery;

export const RequestView = z
  .object({
    requestId,
    type: z.enum(REQUEST_TYPES),
    status: z.enum(REQUEST_STATUSES),
    channel: z.enum(['mail', 'api']),
    accountId: z.string(),
    email: z.string(),
    details: z.string().optional(),
    receivedAt: iso,
    dueAt: iso.meta({ description: 'The legal deadline (one month)' }),
    history: z.array(z.object({ status: z.enum(REQUEST_STATUSES), at: iso, note: z.string().optional() })),
    confirmationExpiresAt: iso.optional(),
    erasureStartsAt: iso.optional().meta({
      description:
        'A deletion in its cooling-off: when erasure starts; until then the cancel link mailed to the registered address stops it',
    }),
    letter: z
      .object({ requestIds: z.array(requestId) })
      .optional()
      .meta({ description: 'The requests one letter opened when it asked for several rights: one mailed link confirms them all' }),
    export: z
      .object({ bytes: z.number().int(), files: z.record(z.string(), z.number()), expiresAt: iso, linkExpiresAt: iso.optional() })
      .optional(),
    download: z.url().optional().meta({ description: 'A download URL valid 5 minutes, while the archive exists' }),
  })
  .meta({ id: 'PrivacyRequest' });
export const OpenResult = RequestView.extend({
  joined: z.boolean().meta({
    description: 'True when a request of this type (a correction: in the same words) was already open: this is that one',
  }),
});
export const ListResult = z.object({ requests: z.array(RequestView) });
