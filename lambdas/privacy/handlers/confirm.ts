import { escapeHtml, type HttpResponse, html } from '../../shared/http';
import { ValidationError } from '../../shared/errors';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { parseWith } from '../../shared/middleware/validate-request';
import { intakeConfig } from '../config';
import { rightLabel, whatHappens } from '../domain/lifecycle';
import { readCorrection } from '../domain/correction';
import { isRestriction, optOutsFor, stoppedBy } from '../domain/objection';
import type { PrivacyRequest } from '../domain/model';
import { type Messages, messagesFor, preferredLanguage } from '../messages';
import { ConfirmForm } from '../schemas';
import { LinkGoneError, LinkInvalidError } from '../errors';
import { privacyRoutes } from '../routes';
import { lifecycleOf, privacyDeps } from '../wiring';

/** The changes a correction or an objection will make, as the workflow will read them. */
function whatWillChange(request: PrivacyRequest, m: Messages): string[] {
  if (request.type === 'correction') {
    const { changes, newEmail, forAPerson } = readCorrection(request.details);
    if (forAPerson.length) return [m.t('page.confirm.correctionPerson')];
    // The values are the requester's own words, shown as written.
    const set = Object.entries(changes).map(([field, value]) => `${m.t('field.label', { field })} = "${value}"`);
    return [
      ...(set.length ? [m.t('page.confirm.correctionSet', { changes: set.join('; ') })] : []),
      ...(newEmail ? [m.t('page.confirm.correctionEmail', { email: newEmail })] : []),
    ];
  }
  if (request.type === 'objection') {
    if (isRestriction(request.details)) return [m.t('page.confirm.restriction')];
    return [m.t('page.confirm.objectionStops', { what: m.list(stoppedBy(optOutsFor(request.details), m, true)) })];
  }
  return [];
}

const lifecycle = lifecycleOf(privacyDeps(intakeConfig()));

/** A page in the request's language (`<html lang>` included); the English-only note first when we do not write it. */
function page(m: Messages, status: number, title: string, paragraphs: string[], form?: { request: string; token: string; action: 'confirm' | 'cancel'; button?: string }): HttpResponse {
  const note = m.unsupported ? [m.t('fallback.englishOnly', { language: m.unsupported })] : [];
  const body = [...note, ...paragraphs].map((p) => `<p>${escapeHtml(p)}</p>`).join('');
  const label = form?.button ?? m.t(form?.action === 'cancel' ? 'page.cancel.button' : 'page.confirm.button');
  const button = form
    ? `<form method="post" action="/v1/privacy/${form.action}"><input type="hidden" name="request" value="${escapeHtml(form.request)}"><input type="hidden" name="token" value="${escapeHtml(form.token)}"><button type="submit" style="font-size:1.1em;padding:.5em 1.2em">${escapeHtml(label)}</button></form>`
    : '';
  return html(
    status,
    `<!doctype html><html lang="${m.locale}"><meta charset="utf-8"><meta name="viewport" content="width=device-width"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>` +
      `<body style="font-family:sans-serif;max-width:40em;margin:3em auto;line-height:1.5"><h1>${escapeHtml(title)}</h1>${body}${button}</body></html>`,
  );
}

/**
 * Used, expired and unknown links answer a page, not JSON: a person clicked them. A used or expired
 * link carried its request's token, so its page speaks the request's language; an invalid one proves
 * nothing about the request and speaks the browser's (Accept-Language).
 */
async function asPage(requestId: string | undefined, acceptLanguage: string | undefined, work: () => Promise<HttpResponse>): Promise<HttpResponse> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof LinkGoneError) {
      const request = requestId ? await lifecycle.require(requestId).catch(() => undefined) : undefined;
      const m = messagesFor(request?.language ?? preferredLanguage(acceptLanguage));
      return page(m, 410, m.t('page.gone.title'), [m.t(error.code === 'link_used' ? 'link.used' : error.code === 'link_expired' ? 'link.expired' : 'link.closed')]);
    }
    if (error instanceof LinkInvalidError) {
      const m = messagesFor(preferredLanguage(acceptLanguage));
      return page(m, 404, m.t('page.invalid.title'), [m.t('link.invalid')]);
    }
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
const header = (event: { headers?: Record<string, string | undefined> }, name: string) => event.headers?.[name] ?? event.headers?.[name.toLowerCase()];

export const handler = httpRoutes(
  route(privacyRoutes.confirmPage, async (event) =>
    asPage(event.input.query.request, header(event, 'accept-language'), async () => {
      const { request: requestId, token } = event.input.query;
      const { request, confirms } = await lifecycle.describeLink(requestId, token);
      const m = messagesFor(request.language);
      const received = new Date(request.receivedAt);
      if (confirms.length === 1) {
        return page(m, 200, m.t('page.confirm.title', { type: request.type }), [
          m.t('page.confirm.about', { requestId: request.requestId, received, email: request.email }),
          whatHappens(m, request.type),
          // What exactly will change, so a request someone else wrote in this account's name is seen before it is confirmed.
          ...whatWillChange(request, m),
          m.t('page.confirm.nothingYet'),
        ], { request: requestId, token, action: 'confirm' });
      }
      // A letter that asked for several rights: one button confirms each request it opened, and the page says what each will do.
      return page(m, 200, m.t('page.confirm.titleLetter'), [
        m.t('page.confirm.aboutLetter', { requestIds: m.list(confirms.map((r) => r.requestId)), received, email: request.email }),
        ...confirms.flatMap((r) => [m.t('page.confirm.each', { right: rightLabel(m, r.type), what: whatHappens(m, r.type) }), ...whatWillChange(r, m)]),
        m.t('confirm.oneLink', { count: confirms.length }),
        m.t('page.confirm.nothingYet'),
      ], { request: requestId, token, action: 'confirm', button: m.t('page.confirm.buttonLetter') });
    }),
  ),
  route(privacyRoutes.cancelPage, async (event) =>
    asPage(event.input.query.request, header(event, 'accept-language'), async () => {
      const { request: requestId } = event.input.query;
      const request = await lifecycle.describeCancel(requestId, event.input.query.token);
      const m = messagesFor(request.language);
      return page(m, 200, m.t('page.cancel.title'), [
        m.t('page.cancel.due', { requestId: request.requestId, startsAt: new Date(request.erasureStartsAt ?? request.receivedAt) }),
        m.t('page.cancel.effect'),
      ], { request: requestId, token: event.input.query.token, action: 'cancel' });
    }),
  ),
  route(privacyRoutes.cancel, async (event) => {
    const form = formOf(event.body, event.isBase64Encoded);
    return asPage(form.request, header(event, 'accept-language'), async () => {
      const request = await lifecycle.cancel(form.request, form.token);
      const m = messagesFor(request.language);
      return page(m, 200, m.t('page.cancelled.title'), [m.t('page.cancelled.body', { requestId: request.requestId })]);
    });
  }),
  route(privacyRoutes.confirm, async (event) => {
    const form = formOf(event.body, event.isBase64Encoded);
    return asPage(form.request, header(event, 'accept-language'), async () => {
      const confirmed = await lifecycle.confirm(form.request, form.token);
      const request = confirmed[0]!;
      const m = messagesFor(request.language);
      const body =
        confirmed.length === 1
          ? m.t('page.confirmed.body', { requestId: request.requestId, right: rightLabel(m, request.type) })
          : m.t('page.confirmed.bodyLetter', { requestIds: m.list(confirmed.map((r) => r.requestId)), rights: m.list(confirmed.map((r) => rightLabel(m, r.type))) });
      return page(m, 200, m.t('page.confirmed.title'), [body, ...confirmed.map((r) => whatHappens(m, r.type))]);
    });
  }),
);
