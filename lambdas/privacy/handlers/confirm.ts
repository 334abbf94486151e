import { escapeHtml, type HttpResponse, html, json as jsonResponse, linkPage, wantsJson } from '../../shared/http';
import { clip } from '../../shared/clip';
import { ValidationError } from '../../shared/errors';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { parseWith, refuseRepeatedKeys } from '../../shared/middleware/validate-request';
import { deletionWarning } from '../domain/confirmation';
import { rightLabel } from '../domain/export';
import { whatHappens } from '../domain/request-records';
import { readCorrection } from '../domain/correction';
import { isRestriction, optOutsFor, stoppedBy } from '../domain/objection';
import type { PrivacyRequest } from '../domain/model';
import { type Messages, messagesFor, preferredLanguage } from '../messages';
import { ConfirmForm } from '../schemas';
import { LinkGoneError, LinkInvalidError } from '../errors';
import { privacyRoutes } from '../routes';
import { confirmWiring } from '../wiring/confirm';
import { displayEmail } from '../../shared/email-address';

/** The changes a correction or an objection will make, as the workflow will read them. */
function whatWillChange(request: PrivacyRequest, m: Messages): string[] {
  if (request.type === 'correction') {
    const { changes, newEmail, forAPerson } = readCorrection(request.details);
    if (forAPerson.length) return [m.t('page.confirm.correctionPerson')];
    // The values are the requester's own words, shown as written.
    const set = Object.entries(changes).map(([field, value]) => `${m.t('field.label', { field })} = "${value}"`);
    return [
      ...(set.length ? [m.t('page.confirm.correctionSet', { changes: set.join('; ') })] : []),
      ...(newEmail ? [m.t('page.confirm.correctionEmail', { email: displayEmail(newEmail) })] : []),
    ];
  }
  if (request.type === 'objection') {
    if (isRestriction(request.details)) return [m.t('page.confirm.restriction')];
    return [m.t('page.confirm.objectionStops', { what: m.list(stoppedBy(optOutsFor(request.details), m, true)) })];
  }
  return [];
}

/** The links' requests and a deletion's terms, built on first use. */
const links = () => confirmWiring().links;

/** What a link's page says: the same for the HTML page and the console's JSON. */
interface Screen {
  m: Messages;
  status: number;
  title: string;
  paragraphs: string[];
  request?: PrivacyRequest;
  /** Every request the link acts on, when a letter asked for several rights (the link's own first). */
  letter?: PrivacyRequest[];
  form?: { request: string; token: string; action: 'confirm' | 'cancel'; button?: string };
  deletion?: { paidCredits: string; coolingOffHours: number };
  /** For an error screen: the stable code of the JSON error. */
  code?: string;
}

/** The screen as an HTML page in the request's language (`<html lang>` included), or as the console's JSON. */
function answer(screen: Screen, json: boolean): HttpResponse {
  const { m } = screen;
  const note = m.unsupported ? [m.t('fallback.englishOnly', { language: m.unsupported })] : [];
  const paragraphs = [...note, ...screen.paragraphs];
  const label = screen.form
    ? (screen.form.button ?? m.t(screen.form.action === 'cancel' ? 'page.cancel.button' : 'page.confirm.button'))
    : undefined;
  if (json) {
    if (screen.code) return jsonResponse(screen.status, { error: { code: screen.code, message: paragraphs.join(' ') } });
    const view = (r: PrivacyRequest) => ({
      requestId: r.requestId,
      type: r.type,
      status: r.status,
      receivedAt: r.receivedAt,
      dueAt: r.dueAt,
      ...(r.erasureStartsAt ? { erasureStartsAt: r.erasureStartsAt } : {}),
    });
    return jsonResponse(screen.status, {
      request: view(screen.request!),
      ...(screen.letter && screen.letter.length > 1 ? { letter: screen.letter.map(view) } : {}),
      locale: m.locale,
      texts: {
        title: screen.title,
        paragraphs,
        ...(label ? { button: label } : {}),
        labels: { dueBy: m.t('page.label.dueBy'), erasureStarts: m.t('page.label.erasureStarts') },
      },
      ...(screen.deletion ? { deletion: screen.deletion } : {}),
    });
  }
  const { form } = screen;
  const button = form
    ? `<form method="post" action="/v1/privacy/${form.action}"><input type="hidden" name="request" value="${escapeHtml(form.request)}"><input type="hidden" name="token" value="${escapeHtml(form.token)}"><button type="submit" style="font-size:1.1em;padding:.5em 1.2em">${escapeHtml(label!)}</button></form>`
    : '';
  return html(screen.status, linkPage(screen.title, paragraphs, { lang: m.locale, dir: m.dir, form: button }));
}

/**
 * Used, expired and unknown links answer a screen too: a person clicked them. A used or expired link
 * carried its request's token, so it speaks the request's language; an invalid one proves nothing
 * about the request and speaks the browser's (Accept-Language).
 */
async function screenOf(requestId: string | undefined, acceptLanguage: string | undefined, work: () => Promise<Screen>): Promise<Screen> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof LinkGoneError) {
      const request = requestId
        ? await links()
            .require(requestId)
            .catch(() => undefined)
        : undefined;
      const m = messagesFor(request?.language ?? preferredLanguage(acceptLanguage));
      return {
        m,
        status: 410,
        code: error.code,
        title: m.t('page.gone.title'),
        paragraphs: [m.t(error.code === 'link_used' ? 'link.used' : error.code === 'link_expired' ? 'link.expired' : 'link.closed')],
      };
    }
    if (error instanceof LinkInvalidError) {
      const m = messagesFor(preferredLanguage(acceptLanguage));
      return { m, status: 404, code: error.code, title: m.t('page.invalid.title'), paragraphs: [m.t('link.invalid')] };
    }
    throw error;
  }
}

/** What the page's button posts: its HTML form (`application/x-www-form-urlencoded`), or the same fields as JSON from the console. */
export function formOf(event: { body?: string; isBase64Encoded: boolean; headers?: Record<string, string | undefined> }): {
  request: string;
  token: string;
} {
  if (!event.body) throw new ValidationError('The confirmation form is empty', [], 'body_required');
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (text.length > 2_000) throw new ValidationError('The confirmation form is too large', [], 'invalid_form');
  if (/^application\/json\b/i.test(event.headers?.['content-type'] ?? '')) {
    let fields: unknown;
    try {
      fields = JSON.parse(text);
    } catch {
      throw new ValidationError('The body is not valid JSON', [], 'invalid_json');
    }
    refuseRepeatedKeys(text, fields);
    return parseWith(ConfirmForm, fields, 'body');
  }
  const form = new URLSearchParams(text);
  // A field given twice is as ambiguous as a JSON key given twice (the last would win here, the first elsewhere).
  const repeated = [...form.keys()].find((name, i, names) => names.indexOf(name) !== i);
  if (repeated !== undefined)
    throw new ValidationError(`body.${clip(repeated, 64)}: the field appears more than once; send each field once`, [], 'duplicate_key');
  return parseWith(ConfirmForm, Object.fromEntries(form), 'body');
}

/**
 * The confirmation and cancel links' two steps: `GET` shows what will happen (mail scanners that
 * prefetch links confirm nothing), the page's button `POST`s, which acts once on this link's request —
 * and on every other request of the same letter still waiting for it.
 */
export const handler = httpRoutes(
  route(privacyRoutes.confirmPage, async (event) => {
    const { request: requestId, token } = event.input.query;
    const screen = await screenOf(requestId, event.headers?.['accept-language'], async () => {
      const { request, confirms } = await links().describeLink(requestId, token);
      const m = messagesFor(request.language);
      const received = new Date(request.receivedAt);
      // A deletion among them says, before it is confirmed, the paid credits it loses and the cooling-off.
      const warning = (await Promise.all(confirms.map((r) => deletionWarning(confirmWiring().deletionTerms, r, m)))).find(Boolean);
      const deletion = warning ? { deletion: { paidCredits: warning.paidCredits, coolingOffHours: warning.coolingOffHours } } : {};
      if (confirms.length === 1) {
        return {
          m,
          status: 200,
          request,
          title: m.t('page.confirm.title', { type: request.type }),
          paragraphs: [
            m.t('page.confirm.about', { requestId: request.requestId, received, email: displayEmail(request.email) }),
            whatHappens(m, request.type),
            // What exactly will change, so a request someone else wrote in this account's name is seen before it is confirmed.
            ...whatWillChange(request, m),
            ...(warning?.lines ?? []),
            m.t('page.confirm.nothingYet'),
          ],
          form: { request: requestId, token, action: 'confirm' },
          ...deletion,
        };
      }
      // A letter that asked for several rights: one button confirms each request it opened, and the page says what each will do.
      return {
        m,
        status: 200,
        request,
        letter: confirms,
        title: m.t('page.confirm.titleLetter'),
        paragraphs: [
          m.t('page.confirm.aboutLetter', {
            requestIds: m.list(confirms.map((r) => r.requestId)),
            received,
            email: displayEmail(request.email),
          }),
          ...confirms.flatMap((r) => [
            m.t('page.confirm.each', { right: rightLabel(m, r.type), what: whatHappens(m, r.type) }),
            ...whatWillChange(r, m),
          ]),
          ...(warning?.lines ?? []),
          m.t('confirm.oneLink', { count: confirms.length }),
          m.t('page.confirm.nothingYet'),
        ],
        form: { request: requestId, token, action: 'confirm', button: m.t('page.confirm.buttonLetter') },
        ...deletion,
      };
    });
    return answer(screen, wantsJson(event));
  }),
  route(privacyRoutes.cancelPage, async (event) => {
    const { request: requestId, token } = event.input.query;
    const screen = await screenOf(requestId, event.headers?.['accept-language'], async () => {
      const request = await links().describeCancel(requestId, token);
      const m = messagesFor(request.language);
      return {
        m,
        status: 200,
        request,
        title: m.t('page.cancel.title'),
        paragraphs: [
          m.t('page.cancel.due', { requestId: request.requestId, startsAt: new Date(request.erasureStartsAt ?? request.receivedAt) }),
          m.t('page.cancel.effect'),
        ],
        form: { request: requestId, token, action: 'cancel' },
      };
    });
    return answer(screen, wantsJson(event));
  }),
  route(privacyRoutes.cancel, async (event) => {
    const form = formOf(event);
    const screen = await screenOf(form.request, event.headers?.['accept-language'], async () => {
      const request = await links().cancel(form.request, form.token);
      event.audit = {
        by: { accountId: request.accountId, via: 'link:privacy_cancel' },
        targets: [{ type: 'privacy_request', id: request.requestId }],
        change: { after: { type: request.type, status: request.status } },
      };
      const m = messagesFor(request.language);
      return {
        m,
        status: 200,
        request,
        title: m.t('page.cancelled.title'),
        paragraphs: [m.t('page.cancelled.body', { requestId: request.requestId })],
      };
    });
    return answer(screen, wantsJson(event));
  }),
  route(privacyRoutes.confirm, async (event) => {
    const form = formOf(event);
    const screen = await screenOf(form.request, event.headers?.['accept-language'], async () => {
      const confirmed = await links().confirm(form.request, form.token);
      const request = confirmed[0]!;
      event.audit = {
        by: { accountId: request.accountId, via: 'link:privacy_confirm' },
        targets: confirmed.map((r) => ({ type: 'privacy_request', id: r.requestId })),
        change: { after: confirmed.map((r) => ({ type: r.type, status: r.status })) },
      };
      const m = messagesFor(request.language);
      const body =
        confirmed.length === 1
          ? m.t('page.confirmed.body', { requestId: request.requestId, right: rightLabel(m, request.type) })
          : m.t('page.confirmed.bodyLetter', {
              requestIds: m.list(confirmed.map((r) => r.requestId)),
              rights: m.list(confirmed.map((r) => rightLabel(m, r.type))),
            });
      return {
        m,
        status: 200,
        request,
        letter: confirmed,
        title: m.t('page.confirmed.title'),
        paragraphs: [body, ...confirmed.map((r) => whatHappens(m, r.type))],
      };
    });
    return answer(screen, wantsJson(event));
  }),
);
