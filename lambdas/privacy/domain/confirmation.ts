import { consoleUrl } from '../../shared/console-links';
import { randomSecret, sha256 } from '../../shared/crypto';
import { microToCredits } from '../../shared/credits';
import { privacyLinks } from './links';
import { LinkGoneError, LinkInvalidError, RequestNotFoundError, RequestStateError } from '../errors';
import { type Messages, messagesFor } from '../messages';
import { rightLabel } from './export';
import {
  FINAL_STATUSES,
  letterOf,
  openSlotOf,
  type PrivacyRequest,
  type RequestStatus,
  RETENTION_AFTER_END_DAYS,
  type RequestType,
  WAITING_FOR_LINK,
} from './model';
import type { DeletionTerms, Workflow } from './ports';
import { type RecordDeps, RequestRecords, requestMail, whatHappens } from './request-records';

const HOUR = 3_600_000;
/** Where a request stands once its confirmation went through: confirmed, and what its workflow made of it since. */
const CONFIRMED_OR_LATER: readonly RequestStatus[] = ['confirmed', 'in_progress', 'needs_manual_action', 'completed', 'failed'];
/** How a request of a letter confirmed by the letter's link says so in its history (whichever click's write it was). */
const BY_LETTER_LINK = "confirmed by the letter's link";

/** The console's confirmation page for the request, for links in mail. */
const confirmLink = (base: string, request: PrivacyRequest, token: string) =>
  consoleUrl(base, 'privacyConfirm', { request: request.requestId, token });

/**
 * What a deletion will cost, told before it is confirmed (in the confirmation mail and on its page):
 * the paid credits lost with the account, and how long the cooling-off lasts. Undefined for other requests.
 */
export async function deletionWarning(
  terms: DeletionTerms,
  request: PrivacyRequest,
  m: Messages,
): Promise<{ paidCredits: string; coolingOffHours: number; lines: string[] } | undefined> {
  if (request.type !== 'deletion') return undefined;
  const paidCredits = microToCredits(await terms.paidCredits.remainingMicro(request.accountId));
  const coolingOffHours = Math.round((terms.coolingOffSeconds / 3600) * 100) / 100;
  const lines = [
    ...(paidCredits !== '0' ? [m.t('deletion.credits', { credits: paidCredits })] : []),
    m.t('deletion.coolingOff', { hours: coolingOffHours }),
  ];
  return { paidCredits, coolingOffHours, lines };
}

/** What mailing confirmation links needs: the workflow that waits for them, how long they live, and a deletion's terms to tell. */
export interface ConfirmationMailDeps extends RecordDeps {
  workflow: Workflow;
  /** How long a confirmation link works. */
  linkLifeHours: number;
  /** When the one reminder goes out, after the link was mailed. */
  reminderAfterHours: number;
  deletionTerms: DeletionTerms;
}

/**
 * The confirmation link's mail: the workflow's first step mails it to the registered address (never
 * to From, Reply-To or anything in the message), the workflow then waits for it, and the watchdog
 * reminds once and expires it.
 */
export class ConfirmationMail extends RequestRecords<ConfirmationMailDeps> {
  /**
   * First step: an API request is confirmed by its session; a mail request gets a single-use link,
   * sent to the account's registered address — never to From, Reply-To or anything in the message.
   */
  async begin(requestId: string): Promise<{ type: RequestType; confirmed: boolean }> {
    const request = await this.require(requestId);
    // Deletion asks for the mailed link even from a session — a stolen session must not erase an
    // account — unless the account's password came with it.
    const bySession = request.channel === 'api' && (request.type !== 'deletion' || request.confirmedBy === 'password');
    if (bySession || ['confirmed', 'in_progress'].includes(request.status)) {
      const note = request.confirmedBy === 'password' ? 'signed-in account holder, with the account password' : 'signed-in account holder';
      if (request.status === 'received') await this.update(requestId, {}, { status: 'confirmed', note, from: ['received'] });
      return { type: request.type, confirmed: true };
    }
    if (!WAITING_FOR_LINK.includes(request.status)) throw new RequestStateError(requestId, request.status, 'begin');
    const now = this.deps.now();
    const expiresAt = new Date(now.getTime() + this.deps.linkLifeHours * HOUR);
    const holder = letterOf(request)[0]!;
    if (holder === requestId) {
      await this.sendLink(request, expiresAt, false);
      return { type: request.type, confirmed: false };
    }
    // One letter, one link: it goes out with the letter's first request; this one waits for it, on its own clock.
    const waiting = await this.update(
      requestId,
      { confirmation: { expiresAt: expiresAt.toISOString(), viaRequest: holder } },
      {
        status: 'awaiting_confirmation',
        note: `waiting for the link mailed with request ${holder}, which confirms every request of the letter`,
        from: ['received'],
      },
    );
    // The letter's link may have confirmed it already (or this step runs again): it goes on from where it stands.
    const current = waiting ?? (await this.require(requestId));
    return { type: request.type, confirmed: ['confirmed', 'in_progress'].includes(current.status) };
  }

  /** Mints a new link (the old one stops working) and mails it to the registered address. */
  private async sendLink(request: PrivacyRequest, expiresAt: Date, reminder: boolean): Promise<void> {
    const token = randomSecret();
    const now = this.deps.now();
    const to = await this.registeredAddress(request);
    // Guarded by status: a reminder racing a confirmation changes nothing and sends nothing.
    const updated = await this.update(
      request.requestId,
      {
        email: to,
        confirmation: {
          tokenHash: sha256(token),
          expiresAt: expiresAt.toISOString(),
          ...(reminder ? { remindedAt: now.toISOString() } : {}),
        },
      },
      reminder
        ? {
            status: 'awaiting_confirmation',
            note: 'reminder with a fresh link mailed to the registered address',
            from: ['awaiting_confirmation'],
          }
        : {
            status: 'awaiting_confirmation',
            note: 'confirmation link mailed to the registered address',
            from: ['received', 'awaiting_confirmation'],
          },
    );
    if (!updated) return;
    // The letter's other requests still waiting are confirmed by this same link: the mail names them all.
    const letter = (await this.letterRequests(updated)).filter(
      (r) => r.requestId === updated.requestId || WAITING_FOR_LINK.includes(r.status),
    );
    const m = messagesFor(request.language);
    // A deletion among them says, before it is confirmed, what it will cost and how long the cooling-off lasts.
    const warnings = (await Promise.all(letter.map((r) => deletionWarning(this.deps.deletionTerms, r, m)))).flatMap(
      (warning) => warning?.lines ?? [],
    );
    await this.deps.mailer.send({
      to,
      subject: m.t(reminder ? 'reminder.subject' : 'confirm.subject', { requestId: request.requestId }),
      ...m.mail([
        letter.length > 1
          ? m.t('confirm.introLetter', {
              rights: m.list(letter.map((r) => rightLabel(m, r.type))),
              requestIds: m.list(letter.map((r) => r.requestId)),
            })
          : m.t('confirm.intro', { type: request.type, requestId: request.requestId }),
        '',
        m.t('confirm.cta'),
        confirmLink(this.deps.publicUrl, request, token),
        '',
        ...letter.map((r) => whatHappens(m, r.type)),
        ...(letter.length > 1 ? [m.t('confirm.oneLink', { count: letter.length })] : []),
        ...warnings,
        m.t('confirm.until', { expires: expiresAt, due: new Date(request.dueAt) }),
        '',
        m.t('confirm.ignore'),
      ]),
    });
  }

  /**
   * A later letter joined `requestId` while it waits for its confirmation link: a fresh link goes out
   * (the letter's acknowledgement says one did), as a reminder of the same request — the old link stops
   * working, the deadline and the link's expiry stay. False when the request no longer waits for a link.
   */
  async resend(requestId: string): Promise<boolean> {
    const request = await this.require(requestId);
    if (request.status !== 'awaiting_confirmation' || !request.confirmation) return false;
    // A request of a letter waits for the link of the letter's first request: that one is mailed again.
    const holder = letterOf(request)[0]!;
    const linked = holder === requestId ? request : await this.require(holder);
    if (linked.status !== 'awaiting_confirmation' || !linked.confirmation?.tokenHash) return false;
    await this.sendLink(linked, new Date(linked.confirmation.expiresAt), true);
    return true;
  }

  /** The workflow waits here: its task token is kept so the confirmation can resume it. */
  async awaitConfirmation(requestId: string, taskToken: string): Promise<void> {
    const updated = await this.update(requestId, { taskToken });
    if (!updated) throw new RequestNotFoundError();
    // Confirmed before the token was stored: the confirmation could not resume us, so we do.
    if (updated.status === 'confirmed') await this.deps.workflow.resume(taskToken, { confirmed: true });
    if (FINAL_STATUSES.includes(updated.status)) await this.deps.workflow.fail(taskToken, 'RequestClosed', updated.status);
  }

  /**
   * The watchdog's pass over requests waiting for their link: one reminder once the link has been
   * out `reminderAfterHours`, and expiry when it dies (the waiting execution is failed with RequestExpired).
   */
  async sweepConfirmations(): Promise<{ reminded: number; expired: number }> {
    const now = this.deps.now();
    let reminded = 0;
    let expired = 0;
    for (const request of await this.deps.requests.open()) {
      if (request.status !== 'awaiting_confirmation' || !request.confirmation) continue;
      const expiresAt = new Date(request.confirmation.expiresAt);
      if (expiresAt <= now) {
        if (request.taskToken) await this.deps.workflow.fail(request.taskToken, 'RequestExpired', 'the confirmation link expired');
        await this.expire(request.requestId);
        expired++;
        continue;
      }
      const sentAt = expiresAt.getTime() - this.deps.linkLifeHours * HOUR;
      // Only the request holding the link reminds; the reminder names the rest of its letter.
      if (
        request.confirmation.tokenHash &&
        !request.confirmation.remindedAt &&
        now.getTime() - sentAt >= this.deps.reminderAfterHours * HOUR
      ) {
        await this.sendLink(request, expiresAt, true);
        reminded++;
      }
    }
    return { reminded, expired };
  }
}

/**
 * The links a holder follows: the confirmation link (its page, then the single-use `POST`), the
 * signed-in holder's session confirming instead, and the cancel link of a deletion's cooling-off.
 * Each confirmed or cancelled request's waiting execution is resumed or ended.
 */
export class ConfirmationLinks extends RequestRecords<RecordDeps & { workflow: Workflow }> {
  /**
   * What the confirmation page shows before anything happens (a GET confirms nothing: mail scanners
   * prefetch links): the link's request and, for a letter that asked for several rights, every one of
   * its requests the link will confirm.
   */
  async describeLink(requestId: string, token: string): Promise<{ request: PrivacyRequest; confirms: PrivacyRequest[] }> {
    const request = await this.deps.requests.get(requestId);
    const waiting = await this.checkLink(request, token);
    return { request: request!, confirms: waiting };
  }

  /**
   * The `POST` behind the confirmation page: single use. It confirms the link's own request and every
   * other request of its letter still waiting — each once, by a guarded status change, so a double
   * click or a replayed form confirms nothing twice — and resumes each one's workflow. The link's own
   * request is confirmed last: a click retried after a failure half-way still finds the link live and
   * finishes the rest. Answers the requests it confirmed, the link's own first — with any of its letter's
   * that a simultaneous click of the same link confirmed first (that click then answers the link used).
   */
  async confirm(requestId: string, token: string): Promise<PrivacyRequest[]> {
    const request = await this.deps.requests.get(requestId);
    const waiting = await this.checkLink(request, token);
    const confirmed: PrivacyRequest[] = [];
    for (const other of waiting.filter((r) => r.requestId !== requestId)) {
      const done = await this.update(
        other.requestId,
        {},
        { status: 'confirmed', note: `${BY_LETTER_LINK} (mailed with request ${requestId})`, from: WAITING_FOR_LINK },
      );
      // Confirmed (now, or by a click of this link at the same moment, or one that failed before resuming it) and still
      // waiting: resume it (a second resume of one token is harmless), and answer it — the click that wins the link's
      // own request answers every request its letter confirmed, whichever click's write confirmed each.
      // Moved on already (its workflow resumed by the other click's write): confirmed by this link all the same.
      const current = done ?? (await this.deps.requests.get(other.requestId));
      if (current && CONFIRMED_OR_LATER.includes(current.status)) confirmed.push(current);
      if (current?.status === 'confirmed' && current.taskToken) await this.deps.workflow.resume(current.taskToken, { confirmed: true });
    }
    const used = { confirmation: { ...request!.confirmation!, usedAt: this.deps.now().toISOString() } };
    if (request!.status !== 'awaiting_confirmation') {
      // Its own request was confirmed otherwise (by the holder's session): the link confirmed the rest of its letter.
      if (!confirmed.length) throw new LinkGoneError('used');
      return [(await this.update(requestId, used)) ?? request!, ...confirmed];
    }
    const own = await this.update(requestId, used, { status: 'confirmed', note: 'link confirmed', from: ['awaiting_confirmation'] });
    if (!own) throw new LinkGoneError('used');
    if (own.taskToken) await this.deps.workflow.resume(own.taskToken, { confirmed: true });
    // A simultaneous click may have confirmed the rest of the letter before this one read it (and then lost the link's
    // own request): this click, the one that won, answers those too.
    const answered = new Set(confirmed.map((r) => r.requestId));
    const byOtherClick = (await this.letterRequests(own)).filter(
      (r) =>
        r.requestId !== requestId &&
        !answered.has(r.requestId) &&
        CONFIRMED_OR_LATER.includes(r.status) &&
        r.history.some((change) => change.status === 'confirmed' && change.note?.startsWith(BY_LETTER_LINK)),
    );
    return [own, ...confirmed, ...byOtherClick];
  }

  /** Checks a confirmation link and answers the requests it would confirm: its own and its letter's, those still waiting. */
  private async checkLink(request: PrivacyRequest | undefined, token: string): Promise<PrivacyRequest[]> {
    if (!request?.confirmation?.tokenHash || request.confirmation.tokenHash !== sha256(token)) throw new LinkInvalidError();
    // The link went to the address registered then; if the account has moved on, it no longer speaks for it.
    if ((await this.deps.subjects.get(request.accountId))?.email !== request.email) throw new LinkGoneError('closed');
    const letter = await this.letterRequests(request);
    const waiting = letter.filter((r) =>
      r.requestId === request.requestId ? r.status === 'awaiting_confirmation' : WAITING_FOR_LINK.includes(r.status),
    );
    if (request.confirmation.usedAt || !waiting.length) {
      throw new LinkGoneError(
        request.confirmation.usedAt ? 'used' : letter.every((r) => FINAL_STATUSES.includes(r.status)) ? 'closed' : 'used',
      );
    }
    if (request.confirmation.expiresAt <= this.deps.now().toISOString()) throw new LinkGoneError('expired');
    return waiting;
  }

  /** The signed-in holder asked again for a request of this type: their session confirms the open one. */
  async confirmBySession(requestId: string, withPassword = false): Promise<PrivacyRequest | undefined> {
    const note = withPassword
      ? 'confirmed by the signed-in account holder, with the account password'
      : 'confirmed by the signed-in account holder';
    const confirmed = await this.update(requestId, {}, { status: 'confirmed', note, from: ['awaiting_confirmation'] });
    if (confirmed?.taskToken) await this.deps.workflow.resume(confirmed.taskToken, { confirmed: true });
    return confirmed;
  }

  /** What the cancel page shows, once its link is known to be this request's and still live. */
  async describeCancel(requestId: string, token: string): Promise<PrivacyRequest> {
    const request = await this.deps.requests.get(requestId);
    if (!request?.cancelTokenHash || request.cancelTokenHash !== sha256(token)) throw new LinkInvalidError();
    if (request.status !== 'in_progress' || request.erasure) throw new LinkGoneError('closed');
    return request;
  }

  /** The cancel link: single use, for its own request, only while the cooling-off lasts. */
  async cancel(requestId: string, token: string): Promise<PrivacyRequest> {
    const request = await this.deps.requests.get(requestId);
    if (!request?.cancelTokenHash || request.cancelTokenHash !== sha256(token)) throw new LinkInvalidError();
    if (request.status !== 'in_progress' || request.erasure) throw new LinkGoneError('closed');
    const cancelled = await this.update(
      requestId,
      { taskToken: undefined, expiresAt: Math.floor(this.deps.now().getTime() / 1000) + RETENTION_AFTER_END_DAYS * 86_400 },
      { status: 'cancelled', note: 'cancelled by the account holder during the cooling-off; nothing was erased', from: ['in_progress'] },
    );
    if (!cancelled) throw new LinkGoneError('closed');
    await this.deps.requests.releaseOpen(request.accountId, openSlotOf(request), requestId);
    if (request.taskToken) await this.deps.workflow.fail(request.taskToken, 'RequestCancelled', 'cancelled by the account holder');
    // Confirmed by mail too: whoever holds the address learns the account stays (or that someone cancelled in their name).
    await this.deps.mailer.send({
      to: await this.registeredAddress(request),
      ...requestMail(request, (m) => ({
        subject: m.t('page.cancelled.title'),
        paragraphs: [m.t('page.cancelled.body', { requestId }), m.t('cancelled.again', privacyLinks(this.deps.publicUrl))],
      })),
    });
    return cancelled;
  }

  /** Ops: end the cooling-off now (`npm run ops -- privacy start-now ID`). */
  async startNow(requestId: string): Promise<void> {
    const request = await this.require(requestId);
    if (!request.taskToken || request.status !== 'in_progress') throw new RequestStateError(requestId, request.status, 'start-now');
    await this.deps.workflow.resume(request.taskToken, { startedBy: 'ops' });
  }
}
