import { DOWNLOAD_LINK_HOURS } from './domain/model';
import { z } from 'zod';
import { defineRoutes } from '../shared/routes';
import { DownloadQuery, LinkPageView, LinkQuery, ListResult, OpenRequestBody, OpenResult, RequestIdPath, RequestView } from './schemas';

/** A page for a person who followed a mailed link; the console asks for the same as JSON (`Accept: application/json`). */
const page = (description: string) => ({ description, schema: z.string(), contentType: 'text/html', json: LinkPageView });

/** Privacy rights: requests by the signed-in holder, the confirmation link's pages, the download link. */
export const privacyRoutes = defineRoutes({
  open: {
    method: 'POST',
    path: '/v1/privacy/requests',
    handler: 'requests',
    auth: 'session',
    summary: 'Exercise a privacy right (access, portability, deletion, correction, objection); the session is the identity',
    description:
      'A second request of a type while one is open joins it: the answer is the open request, with joined: true. ' +
      'A correction joins only an open correction in the same words; one in other words is a request of its own. ' +
      'Asked while another request of the type is being opened (the same moment), it waits for that one and joins it; ' +
      '409 privacy_request_opening if it does not appear within a few seconds (ask again).',
    body: OpenRequestBody,
    responses: { 201: { description: 'The request (or the open one it joined)', schema: OpenResult } },
    errors: [400, 401, 403, 409, 413, 415, 429],
    audit: { action: 'privacy.request' },
  },
  list: {
    method: 'GET',
    path: '/v1/privacy/requests',
    handler: 'requests',
    auth: 'session',
    summary: "The caller's privacy requests, newest first",
    responses: { 200: { description: 'Requests', schema: ListResult } },
    errors: [401],
  },
  get: {
    method: 'GET',
    path: '/v1/privacy/requests/{id}',
    handler: 'requests',
    auth: 'session',
    summary: 'One request: status, history, due date and, when ready, a download link',
    params: RequestIdPath,
    responses: { 200: { description: 'The request', schema: RequestView } },
    errors: [400, 401, 404],
  },
  download: {
    method: 'GET',
    path: '/v1/privacy/requests/{id}/download',
    handler: 'requests',
    auth: 'public',
    summary: `The mailed download link: redirects to the archive (the link works ${DOWNLOAD_LINK_HOURS} hours)`,
    params: RequestIdPath,
    query: DownloadQuery,
    responses: { 302: { description: 'To a short-lived URL of the archive' } },
    errors: [400, 404, 410],
  },
  confirmPage: {
    method: 'GET',
    path: '/v1/privacy/confirm',
    handler: 'confirm',
    auth: 'public',
    summary: 'The mailed confirmation link: shows what confirming will do (a GET alone confirms nothing)',
    query: LinkQuery,
    responses: { 200: page('What will happen (for a deletion: the paid credits lost and the cooling-off), and a button to confirm') },
    errors: [400, 404, 410],
  },
  cancelPage: {
    method: 'GET',
    path: '/v1/privacy/cancel',
    handler: 'confirm',
    auth: 'public',
    summary: 'The cancel link of a deletion in its cooling-off: shows what cancelling does (a GET alone cancels nothing)',
    query: LinkQuery,
    responses: { 200: page('The request, and a button to cancel it') },
    errors: [400, 404, 410],
  },
  cancel: {
    method: 'POST',
    path: '/v1/privacy/cancel',
    handler: 'confirm',
    auth: 'public',
    summary: 'Cancels the deletion the link belongs to, while its cooling-off lasts; nothing is erased',
    rawBody: {
      contentType: 'application/x-www-form-urlencoded',
      description: "request=<id>&token=<token>, as the page's form sends them (or the same fields as a JSON object)",
    },
    responses: { 200: page('Cancelled; the holder is mailed that nothing will be erased') },
    errors: [400, 404, 410],
    audit: { action: 'privacy.cancel' },
  },
  confirm: {
    method: 'POST',
    path: '/v1/privacy/confirm',
    handler: 'confirm',
    auth: 'public',
    summary: 'Confirms the request the link belongs to (single use); the form of the confirmation page posts here',
    rawBody: {
      contentType: 'application/x-www-form-urlencoded',
      description: "request=<id>&token=<token>, as the page's form sends them (or the same fields as a JSON object)",
    },
    responses: { 200: page('Confirmed') },
    errors: [400, 404, 410],
    audit: { action: 'privacy.confirm' },
  },
});
