import { z } from 'zod';
import { defineRoutes } from '../shared/routes';
import { UnsubscribeQuery } from './schemas';

const page = (description: string) => ({ description, schema: z.string(), contentType: 'text/html' });

/** Technical notices: the one-click unsubscribe link of optional topics (RFC 8058). */
export const noticeRoutes = defineRoutes({
  unsubscribePage: {
    method: 'GET',
    path: '/v1/notices/unsubscribe',
    handler: 'unsubscribe',
    auth: 'public',
    summary:
      'The unsubscribe link of an optional notice topic: a page with a button (a GET alone changes nothing; mail scanners prefetch links)',
    query: UnsubscribeQuery,
    responses: { 200: page('What unsubscribing stops, and a button') },
    errors: [400, 404],
  },
  unsubscribe: {
    method: 'POST',
    path: '/v1/notices/unsubscribe',
    handler: 'unsubscribe',
    auth: 'public',
    summary:
      "Unsubscribes the link's account from its topic at once, with no session or cookie: the one-click POST of RFC 8058 (List-Unsubscribe-Post) and the page's button",
    query: UnsubscribeQuery,
    rawBody: {
      contentType: 'application/x-www-form-urlencoded',
      description: 'List-Unsubscribe=One-Click (RFC 8058); the body is not needed: the signed query names account and topic',
    },
    responses: { 200: page('Unsubscribed') },
    errors: [400, 404],
    audit: { action: 'notice.unsubscribe' },
  },
});
