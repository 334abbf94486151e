import { z } from 'zod';
import { defineRoutes } from '../shared/routes';
import { UnsubscribeQuery, UnsubscribeView } from './schemas';

/** A page for a browser following the link; the console's page asks for the same as JSON (`Accept: application/json`). */
const page = (description: string) => ({ description, schema: z.string(), contentType: 'text/html', json: UnsubscribeView });

/** Technical notices: the one-click unsubscribe link of optional topics (RFC 8058). */
export const noticeRoutes = defineRoutes({
  unsubscribePage: {
    method: 'GET',
    path: '/v1/notices/unsubscribe',
    handler: 'unsubscribe',
    auth: 'public',
    summary:
      "The List-Unsubscribe URL of an optional notice topic: what unsubscribing stops and a button (a GET alone changes nothing; mail scanners prefetch links). The mail's text links to the console's /notices/unsubscribe page, which reads this as JSON",
    query: UnsubscribeQuery,
    responses: { 200: page('What unsubscribing stops, and a button') },
    errors: [400, 404, 410],
  },
  unsubscribe: {
    method: 'POST',
    path: '/v1/notices/unsubscribe',
    handler: 'unsubscribe',
    auth: 'public',
    summary:
      "Unsubscribes the link's account from its topic at once, with no session or cookie: the one-click POST of RFC 8058 (List-Unsubscribe-Post) and the pages' button. A link expires 90 days after its notice (410 link_expired); an altered one is 404 link_invalid",
    query: UnsubscribeQuery,
    rawBody: {
      contentType: 'application/x-www-form-urlencoded',
      description: 'List-Unsubscribe=One-Click (RFC 8058); the body is not needed: the signed query names account and topic',
    },
    responses: { 200: page('Unsubscribed (or already off: a second click changes nothing)') },
    errors: [400, 404, 410],
    audit: { action: 'notice.unsubscribe' },
  },
});
