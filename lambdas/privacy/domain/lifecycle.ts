import { privacyLinks } from './links';
import { consoleUrl } from '../../shared/console-links';
import { randomSecret, sha256 } from '../../shared/crypto';
import type { Mailer } from '../../shared/mailer';
import { LinkGoneError, LinkInvalidError, RequestNotFoundError, RequestStateError } from '../errors';
import { type Messages, messagesFor } from '../messages';
import { type ArchiveSink, buildExport, rightLabel, type SubjectData } from './export';
import {
  ARCHIVE_DAYS,
  DOWNLOAD_LINK_HOURS,
  FINAL_STATUSES,
  letterOf,
  type PrivacyRequest,
  RETENTION_AFTER_END_DAYS,
  type RequestType,
  WAITING_FOR_LINK,
} from './model';
import type { DeletionTerms, PrivacyDeps, Transition } from './ports';
import { microToCredits } from '../../shared/credits';

/** What building an export needs: the subject's data and somewhere to write the archive. */
export interface ExportDeps {
  data: SubjectData;
  sink(key: string): ArchiveSink;
}

export { ARCHIVE_DAYS, DOWNLOAD_LINK_HOURS, rightLabel };

/** A URL that downloads an export for `seconds`. */
export type Presign = (key: string, seconds: number) => Promise<string>;

/** A download link or page redirects to a URL valid this long. */
const PRESIGNED_SECONDS = 300;

const HOUR = 3_600_000;

/** What confirming each kind of request will do, shown on the confirmation page and in the mail, in the reply's language. */
export const whatHappens = (m: Messages, type: RequestType): string => m.t(`what.${type}`, { hours: DOWNLOAD_LINK_HOURS });

/** The console's confirmation page for the request, for links in mail. */
const confirmLink = (base: string, request: PrivacyRequest, token: string) =>
  consoleUrl(base, 'privacyConfirm', { request: request.requestId, token });

/**
 * A privacy request's life after intake, step by step as the Step Functions workflow runs it, plus
 * the confirmation link. Every step is safe to run again (the workflow retries): it checks where the
 * request stands and does only what is left.
 */
export class RequestLifecycle {
  constructor(
    private readonly deps: PrivacyDeps & {
      reminderAfterHours: number;
      exports?: ExportDeps;
      presign?: Presign;
      deletionTerms?: DeletionTerms;
    },
  ) {}

  /**
   * What a deletion will cost, told before it is confirmed (in the confirmation mail and on its page):
   * the paid credits lost with the account, and how long the cooling-off lasts. Undefined for other
   * requests, and where this function is not bound to the ledger.
   */
  async deletionWarning(
    request: PrivacyRequest,
    m: Messages,
  ): Promise<{ paidCredits: string; coolingOffHours: number; lines: string[] } | undefined> {
    const terms = this.deps.deletionTerms;
    if (request.type !== 'deletion' || !terms) return undefined;
    const paidCredits = microToCredits(await terms.paidCredits.remainingMicro(request.accountId));
    const coolingOffHours = Math.round((terms.coolingOffSeconds / 3600) * 100) / 100;
    const lines = [
      ...(paidCredits !== '0' ? [m.t('deletion.credits', { credits: paidCredits })] : []),
      m.t('deletion.coolingOff', { hours: coolingOffHours }),
    ];
    return { paidCredits, coolingOffHours, lines };
  }

  private get exports(): ExportDeps {
    if (!this.deps.exports) throw new Error('This function does not build exports');
    return this.deps.exports;
  }

  private get presign(): Presign {
    if (!this.deps.presign) throw new Error('This function is not bound to the export bucket');
    return this.deps.presign;
  }

  private get mailer(): Mailer {
    return this.deps.mailer;
  }

  /**
   * Where mail about a request goes: the address registered on the account now. A request opened
   * under an address the account has since left is not answered there (the address may belong to
   * someone else by then).
   */
  private async registeredAddress(request: PrivacyRequest): Promise<string> {
    const subject = await this.deps.subjects.get(request.accountId);
    if (!subject) throw new RequestStateError(request.requestId, request.status, 'mail: the account is gone');
    return subject.email;
  }

  /** A request change stamped with this lifecycle's clock. */
  private update(requestId: string, changes: Partial<PrivacyRequest>, transition?: Transition, at: Date = this.deps.now()) {
    return this.deps.requests.update(requestId, changes, transition, at);
  }

  /** The console pages this deployment's privacy mails link to. */
  links(requestId?: string): ReturnType<typeof privacyLinks> {
    return privacyLinks(this.deps.publicUrl, requestId);
  }

  async require(requestId: string): Promise<PrivacyRequest> {
    const request = await this.deps.requests.get(requestId);
    if (!request) throw new RequestNotFoundError();
    return request;
  }

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

  /** The requests of `request`'s letter that still exist, the link's holder first. */
  private async letterRequests(request: PrivacyRequest): Promise<PrivacyRequest[]> {
    const ids = letterOf(request);
    if (ids.length === 1) return [request];
    const found = await Promise.all(ids.map((id) => (id === request.requestId ? request : this.deps.requests.get(id))));
    return found.filter((r): r is PrivacyRequest => r !== undefined);
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
    const warnings = (await Promise.all(letter.map((r) => this.deletionWarning(r, m)))).flatMap((warning) => warning?.lines ?? []);
    await this.mailer.send({
      to,
      subject: m.t(reminder ? 'reminder.subject' : 'confirm.subject', { requestId: request.requestId }),
      text: m.mail([
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

  /** The workflow waits here: its task token is kept so the confirmation can resume it. */
  async awaitConfirmation(requestId: string, taskToken: string): Promise<void> {
    const updated = await this.update(requestId, { taskToken });
    if (!updated) throw new RequestNotFoundError();
    // Confirmed before the token was stored: the confirmation could not resume us, so we do.
    if (updated.status === 'confirmed') await this.deps.workflow.resume(taskToken, { confirmed: true });
    if (FINAL_STATUSES.includes(updated.status)) await this.deps.workflow.fail(taskToken, 'RequestClosed', updated.status);
  }

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
   * finishes the rest. Answers the requests it confirmed, the link's own first.
   */
  async confirm(requestId: string, token: string): Promise<PrivacyRequest[]> {
    const request = await this.deps.requests.get(requestId);
    const waiting = await this.checkLink(request, token);
    const confirmed: PrivacyRequest[] = [];
    for (const other of waiting.filter((r) => r.requestId !== requestId)) {
      const done = await this.update(
        other.requestId,
        {},
        { status: 'confirmed', note: `confirmed by the letter's link (mailed with request ${requestId})`, from: WAITING_FOR_LINK },
      );
      if (done) confirmed.push(done);
      // Confirmed (now, or by a click that failed before resuming it) and still waiting: resume it. A second resume of one token is harmless.
      const current = done ?? (await this.deps.requests.get(other.requestId));
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
    return [own, ...confirmed];
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
    await this.deps.requests.releaseOpen(request.accountId, request.type, requestId);
    if (request.taskToken) await this.deps.workflow.fail(request.taskToken, 'RequestCancelled', 'cancelled by the account holder');
    // Confirmed by mail too: whoever holds the address learns the account stays (or that someone cancelled in their name).
    const m = messagesFor(request.language);
    await this.mailer.send({
      to: await this.registeredAddress(request),
      subject: m.t('page.cancelled.title'),
      text: m.mail([m.t('page.cancelled.body', { requestId }), m.t('cancelled.again', privacyLinks(this.deps.publicUrl))]),
    });
    return cancelled;
  }

  /** Ops: end the cooling-off now (`npm run ops -- privacy start-now ID`). */
  async startNow(requestId: string): Promise<void> {
    const request = await this.require(requestId);
    if (!request.taskToken || request.status !== 'in_progress') throw new RequestStateError(requestId, request.status, 'start-now');
    await this.deps.workflow.resume(request.taskToken, { startedBy: 'ops' });
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

  async markInProgress(requestId: string): Promise<void> {
    const request = await this.require(requestId);
    if (request.status === 'in_progress') return;
    const updated = await this.update(requestId, { taskToken: undefined }, { status: 'in_progress', from: ['confirmed'] });
    if (!updated) throw new RequestStateError(requestId, request.status, 'start');
  }

  /** Access and portability: the archive of everything the data map exports, streamed to the export bucket. */
  async export(requestId: string): Promise<{ bytes: number; files: Record<string, number> }> {
    const request = await this.require(requestId);
    if (request.export) return { bytes: request.export.bytes, files: request.export.files };
    if (request.status !== 'in_progress') throw new RequestStateError(requestId, request.status, 'export');
    const now = this.deps.now();
    const key = `exports/${requestId}/${randomSecret(12)}.zip`;
    const result = await buildExport(
      { ...request, email: await this.registeredAddress(request) },
      this.exports.data,
      this.exports.sink(key),
      now,
    );
    await this.update(requestId, {
      export: { key, ...result, expiresAt: new Date(now.getTime() + ARCHIVE_DAYS * 24 * HOUR).toISOString() },
    });
    return result;
  }

  /** Mails the download link (to the registered address), then closes the request as completed. */
  async deliverExport(requestId: string): Promise<void> {
    const request = await this.require(requestId);
    if (request.status === 'completed') return;
    if (!request.export) throw new RequestStateError(requestId, request.status, 'deliver');
    const token = randomSecret();
    const linkExpires = new Date(this.deps.now().getTime() + DOWNLOAD_LINK_HOURS * HOUR);
    await this.update(requestId, {
      export: { ...request.export, downloadTokenHash: sha256(token), linkExpiresAt: linkExpires.toISOString() },
    });
    // The request's console page: with the token it downloads without signing in, as the link always did.
    const link = consoleUrl(this.deps.publicUrl, `privacyRequest:${requestId}`, { token });
    const m = messagesFor(request.language);
    await this.mailer.send({
      to: await this.registeredAddress(request),
      subject: m.t('export.subject', { requestId }),
      text: m.mail([
        m.t('export.ready', { portable: request.type === 'portability' ? 'yes' : 'no', kib: Math.ceil(request.export.bytes / 1024) }),
        '',
        link,
        '',
        m.t('export.until', { hours: DOWNLOAD_LINK_HOURS, expires: linkExpires, days: ARCHIVE_DAYS }),
        m.t('export.signedIn', privacyLinks(this.deps.publicUrl, requestId)),
      ]),
    });
    await this.close(requestId, 'completed', 'archive delivered to the registered address', ['in_progress']);
  }

  /** The mailed download link: checks its token, then hands out a URL valid a few minutes. */
  async downloadByLink(requestId: string, token: string): Promise<string> {
    const request = await this.deps.requests.get(requestId);
    if (!request?.export?.downloadTokenHash || request.export.downloadTokenHash !== sha256(token)) throw new LinkInvalidError();
    if ((request.export.linkExpiresAt ?? '') <= this.deps.now().toISOString()) throw new LinkGoneError('expired');
    return this.presign(request.export.key, PRESIGNED_SECONDS);
  }

  /** A fresh download URL for the signed-in holder, while the archive exists. */
  async downloadUrl(request: PrivacyRequest): Promise<string | undefined> {
    if (!request.export || request.export.erasedAt) return undefined;
    if (request.export.expiresAt <= this.deps.now().toISOString()) return undefined;
    return this.presign(request.export.key, PRESIGNED_SECONDS);
  }

  /**
   * Rights not automated yet go to a person, with the deadline; the holder is told. `why` is for the
   * person (the history); the holder's mail says, in their language, which kind of case it is.
   */
  async handToPerson(requestId: string, why?: string, kind: 'restriction' | 'correction' | 'other' = 'other'): Promise<void> {
    const request = await this.require(requestId);
    if (request.status === 'needs_manual_action') return;
    const note = `${why ? `${why}; ` : ''}a person answers by ${request.dueAt.slice(0, 10)}`;
    await this.update(requestId, {}, { status: 'needs_manual_action', note, from: ['in_progress'] });
    const m = messagesFor(request.language);
    await this.mailer.send({
      to: await this.registeredAddress(request),
      subject: m.t('person.subject', { requestId }),
      text: m.mail([
        m.t('person.confirmed', { right: rightLabel(m, request.type) }),
        why ? m.t(`person.${kind}`) : whatHappens(m, request.type),
        m.t('person.due', { due: new Date(request.dueAt) }),
      ]),
    });
  }

  /** Ends a request for good: its end is recorded and it is kept three years as proof, then TTL removes it. */
  async close(
    requestId: string,
    status: 'completed' | 'expired' | 'cancelled',
    note: string,
    from: PrivacyRequest['status'][],
  ): Promise<PrivacyRequest | undefined> {
    const now = this.deps.now();
    const closed = await this.update(
      requestId,
      { taskToken: undefined, expiresAt: Math.floor(now.getTime() / 1000) + RETENTION_AFTER_END_DAYS * 86_400 },
      { status, note, from },
      now,
    );
    if (closed) await this.deps.requests.releaseOpen(closed.accountId, closed.type, requestId);
    return closed;
  }

  /**
   * The link was not used in time. A letter's requests expire together (their links die at the same
   * time): the mail of the link's holder names every right of the letter that went unconfirmed, and the
   * others send none of their own unless their letter's holder went on without them.
   */
  async expire(requestId: string): Promise<void> {
    const request = await this.require(requestId);
    if (request.status === 'expired') return;
    const expired = await this.close(requestId, 'expired', 'the confirmation link was not used in time', [
      'received',
      'awaiting_confirmation',
    ]);
    if (!expired) return;
    const to = await this.deps.subjects.get(request.accountId).then((s) => s?.email);
    if (!to) return;
    const letter = await this.letterRequests(expired);
    const holder = letter[0]!;
    const unconfirmed = (r: PrivacyRequest) => r.status === 'expired' || WAITING_FOR_LINK.includes(r.status);
    if (holder.requestId !== requestId && unconfirmed(holder)) return;
    const rights = holder.requestId === requestId ? letter.filter(unconfirmed).map((r) => r.type) : [request.type];
    const m = messagesFor(request.language);
    await this.mailer.send({
      to,
      subject: m.t('expired.subject', { requestId }),
      text: m.mail([
        m.t('expired.body', { right: m.list(rights.map((type) => rightLabel(m, type))), ...privacyLinks(this.deps.publicUrl) }),
      ]),
    });
  }

  /** A step failed after its retries: the request says so, for ops (an alarm watches the workflow's failures). */
  async fail(requestId: string, error: string, cause: string): Promise<void> {
    await this.update(
      requestId,
      { failure: { error: error.slice(0, 200), cause: cause.slice(0, 1000) } },
      { status: 'failed', note: `${error}: ops are alerted` },
    );
  }

  /**
   * The legal clock: requests past 75 % of their time are flagged once (and counted, which alarms),
   * overdue ones counted on every pass (their own alarm), and requests stuck over a day in a status
   * that waits on us (not on the holder's link, a hold or the cooling-off) counted too.
   */
  async checkClock(): Promise<{ nearing: string[]; overdue: string[]; stuck: string[] }> {
    const now = this.deps.now();
    const result = { nearing: [] as string[], overdue: [] as string[], stuck: [] as string[] };
    for (const request of await this.deps.requests.open()) {
      const received = Date.parse(request.receivedAt);
      const due = Date.parse(request.dueAt);
      if (now.getTime() >= due) result.overdue.push(request.requestId);
      else if (now.getTime() >= received + 0.75 * (due - received)) {
        result.nearing.push(request.requestId);
        if (!request.clockWarnedAt) await this.update(request.requestId, { clockWarnedAt: now.toISOString() });
      }
      const waitingOnOthers = request.status === 'awaiting_confirmation' || Boolean(request.taskToken);
      const since = Date.parse(request.history.at(-1)?.at ?? request.receivedAt);
      if (
        !waitingOnOthers &&
        ['received', 'confirmed', 'in_progress', 'failed'].includes(request.status) &&
        now.getTime() - since > 86_400_000
      )
        result.stuck.push(request.requestId);
    }
    // Mail no right could be read from is on the same clock, and waits on us (an operator) from the start.
    for (const mail of await this.deps.requests.openUnclear()) {
      const received = Date.parse(mail.receivedAt);
      const due = Date.parse(mail.dueAt);
      if (now.getTime() >= due) result.overdue.push(mail.ticketId);
      else if (now.getTime() >= received + 0.75 * (due - received)) result.nearing.push(mail.ticketId);
      if (now.getTime() - received > 86_400_000) result.stuck.push(mail.ticketId);
    }
    return result;
  }

  /** Extends the deadline (GDPR art. 12(3): by up to two more months, with the reason told to the holder). */
  async extend(requestId: string, months: number, reason: string): Promise<PrivacyRequest> {
    const request = await this.require(requestId);
    const original = request.originalDueAt ?? request.dueAt;
    const maxDue = new Date(Date.parse(original) + 2 * 30 * 86_400_000);
    const dueAt = new Date(Math.min(Date.parse(request.dueAt) + months * 30 * 86_400_000, maxDue.getTime()));
    if (dueAt.toISOString() <= request.dueAt)
      throw new RequestStateError(requestId, request.status, 'extend: already extended by the two months the law allows');
    const extended = await this.update(
      requestId,
      { dueAt: dueAt.toISOString(), originalDueAt: original, clockWarnedAt: undefined },
      { status: request.status, note: `deadline extended to ${dueAt.toISOString().slice(0, 10)}: ${reason}` },
    );
    const m = messagesFor(request.language);
    await this.mailer.send({
      to: await this.registeredAddress(request),
      subject: m.t('extension.subject', { requestId }),
      // The reason is the operator's own words, quoted as written.
      text: m.mail([
        m.t('extension.body', { right: rightLabel(m, request.type), due: dueAt }),
        m.t('extension.why', { reason }),
        m.t('extension.law'),
      ]),
    });
    return extended!;
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
