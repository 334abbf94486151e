import { escapeHtml, type HttpResponse, html } from '../../shared/http';
import { ValidationError } from '../../shared/errors';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { parseWith } from '../../shared/middleware/validate-request';
import { intakeConfig } from '../config';
import { WHAT_HAPPENS } from '../domain/lifecycle';
import { readCorrection } from '../domain/correction';
import { isRestriction, optOutsFor, stoppedBy } from '../domain/objection';
import type { PrivacyRequest } from '../domain/model';

/** The changes a correction or an objection will make, as the workflow will read them. */
function whatWillChange(request: PrivacyRequest): string[] {
  if (request.type === 'correction') {
    const { changes, newEmail, forAPerson } = readCorrection(request.details);
    if (forAPerson.length) return ['A person will read what was asked and write to you before changing anything.'];
    const set = Object.entries(changes).map(([field, value]) => `${field} = "${value}"`);
    return [
      ...(set.length ? [`It will set: ${set.join('; ')}.`] : []),
      ...(newEmail ? [`It will send a link to ${newEmail}; the address changes only when that link is opened.`] : []),
    ];
  }
  if (request.type === 'objection') {
    if (isRestriction(request.details)) return ['You asked to restrict the processing of your data: a person will read what was asked and write to you.'];
    return [`It will stop: ${stoppedBy(optOutsFor(request.details)).map((what) => what.replace(/ \(.*\)$/, '')).join(' and ')}.`];
  }
  return [];
}
import { ConfirmForm } from '../schemas';
import { LinkGoneError, LinkInvalidError } from '../errors';
import { privacyRoutes } from '../routes';
import { lifecycleOf, privacyDeps } from '../wiring';

const lifecycle = lifecycleOf(privacyDeps(intakeConfig()));

function page(status: number, title: string, paragraphs: string[], form?: { request: string; token: string; action: 'confirm' | 'cancel' }): HttpResponse {
  const body = paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('');
  const label = form?.action === 'cancel' ? 'Cancel the deletion' : 'Confirm my request';
  const button = form
    ? `<form method="post" action="/v1/privacy/${form.action}"><input type="hidden" name="request" value="${escapeHtml(form.request)}"><input type="hidden" name="token" value="${escapeHtml(form.token)}"><button type="submit" style="font-size:1.1em;padding:.5em 1.2em">${label}</button></form>`
    : '';
  return html(
    status,
    `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>` +
      `<body style="font-family:sans-serif;max-width:40em;margin:3em auto;line-height:1.5"><h1>${escapeHtml(title)}</h1>${body}${button}</body></html>`,
  );
}

/** Used, expired and unknown links answer a page, not JSON: a person clicked them. */
async function asPage(work: () => Promise<HttpResponse>): Promise<HttpResponse> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof LinkGoneError) return page(410, 'This link no longer works', [error.message]);
    if (error instanceof LinkInvalidError) return page(404, 'This link is not valid', [error.message]);
    throw error;
  }
}

/** The form the page posts: `application/x-www-form-urlencoded`, read without JSON parsing. */
function formOf(body: string | undefined, base64: boolean): { request: string; token: string } {
  if (!body) throw new ValidationError('The confirmation form is empty', [], 'body_required');
  const text = base64 ? Buffer.from(body, 'base64').toString('utf8') : body;
  if (text.length > 2_000) throw new ValidationError('The confirmation form is too large', [], 'invalid_form');
  return parseWith(ConfirmForm, Object.fromEntries(new URLSearchParams(text)), 'body');
}

/**
 * The confirmation link's two steps: `GET` shows what will happen (mail scanners that prefetch links
 * confirm nothing), the page's button `POST`s, which confirms this link's own request once.
 */
export const handler = httpRoutes(
  route(privacyRoutes.confirmPage, async (event) =>
    asPage(async () => {
      const { request: requestId, token } = event.input.query;
      const request = await lifecycle.describeLink(requestId, token);
      return page(200, `Confirm your ${request.type} request`, [
        `Request ${request.requestId}, received ${request.receivedAt.slice(0, 10)}, for the OmnAPI account of ${request.email}.`,
        WHAT_HAPPENS[request.type],
        // What exactly will change, so a request someone else wrote in this account's name is seen before it is confirmed.
        ...whatWillChange(request),
        'Nothing has happened yet. Press the button to confirm; if you did not ask for this, close this page.',
      ], { request: requestId, token, action: 'confirm' });
    }),
  ),
  route(privacyRoutes.cancelPage, async (event) =>
    asPage(async () => {
      const { request: requestId } = event.input.query;
      const request = await lifecycle.describeCancel(requestId, event.input.query.token);
      return page(200, 'Cancel the deletion of your account?', [
        `Request ${request.requestId}: your account is due to be erased on ${(request.erasureStartsAt ?? '').slice(0, 16).replace('T', ' ')} UTC.`,
        'Cancelling stops it for good; nothing is erased. You can ask again later.',
      ], { request: requestId, token: event.input.query.token, action: 'cancel' });
    }),
  ),
  route(privacyRoutes.cancel, async (event) =>
    asPage(async () => {
      const form = formOf(event.body, event.isBase64Encoded);
      const request = await lifecycle.cancel(form.request, form.token);
      return page(200, 'Deletion cancelled', [`Request ${request.requestId} is cancelled. Your account and data stay as they are.`]);
    }),
  ),
  route(privacyRoutes.confirm, async (event) =>
    asPage(async () => {
      const form = formOf(event.body, event.isBase64Encoded);
      const request = await lifecycle.confirm(form.request, form.token);
      return page(200, 'Request confirmed', [`Thank you. Your ${request.type} request ${request.requestId} is confirmed and under way.`, WHAT_HAPPENS[request.type]]);
    }),
  ),
);

