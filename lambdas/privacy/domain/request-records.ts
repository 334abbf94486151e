import { privacyLinks } from './links';
import { type Mailer, type OutgoingMail, sendOnce } from '../../shared/mailer';
import { RequestNotFoundError, RequestStateError } from '../errors';
import { type ComposedMail, type MailBody, type Messages, mailInLanguages, messagesFor } from '../messages';
import { rightLabel } from './export';
import {
  DOWNLOAD_LINK_HOURS,
  letterOf,
  openSlotOf,
  type PrivacyRequest,
  RETENTION_AFTER_END_DAYS,
  type RequestType,
  WAITING_FOR_LINK,
} from './model';
import type { ClosingMail, RequestStore, SubjectDirectory, Transition } from './ports';

/**
 * Sends the mail a step sends before closing its request, once: claimed on the request first, so the
 * workflow's retry of a step that failed after it (closing, say) sends no second copy.
 */
export function mailOnce(
  deps: Pick<RecordDeps, 'requests' | 'mailer' | 'now'>,
  requestId: string,
  kind: ClosingMail,
  mail: OutgoingMail,
): Promise<boolean> {
  const claim = {
    take: () => deps.requests.claimMail(requestId, kind, deps.now()),
    giveBack: () => deps.requests.releaseMail(requestId, kind),
  };
  return sendOnce(deps.mailer, claim, mail);
}

/** What every step on a request needs: the requests, the accounts they are about, mail, the links' base and a clock. */
export interface RecordDeps {
  requests: RequestStore;
  subjects: SubjectDirectory;
  mailer: Mailer;
  /** Base URL of the links in mail. */
  publicUrl: string;
  now: () => Date;
}

/**
 * A mail about what became of a request, in the language of its letter and of every later letter that joined it
 * (`joinedLanguages`): each writer reads it in their own.
 */
export const requestMail = (
  request: Pick<PrivacyRequest, 'language' | 'joinedLanguages'>,
  compose: (m: Messages) => ComposedMail,
): MailBody & { subject: string } => mailInLanguages([request.language, ...(request.joinedLanguages ?? [])], compose);

/** What confirming each kind of request will do, shown on the confirmation page and in the mail, in the reply's language. */
export const whatHappens = (m: Messages, type: RequestType): string => m.t(`what.${type}`, { hours: DOWNLOAD_LINK_HOURS });

/**
 * A privacy request's life after intake, the steps every right shares: starting, handing to a person,
 * closing, expiring and failing. The other units (confirmation, export, the legal clock) build on it
 * with the dependencies only they need. Every step is safe to run again (the workflow retries): it
 * checks where the request stands and does only what is left.
 */
export class RequestRecords<D extends RecordDeps = RecordDeps> {
  constructor(protected readonly deps: D) {}

  /**
   * Where mail about a request goes: the address registered on the account now. A request opened
   * under an address the account has since left is not answered there (the address may belong to
   * someone else by then).
   */
  protected async registeredAddress(request: PrivacyRequest): Promise<string> {
    const subject = await this.deps.subjects.get(request.accountId);
    if (!subject) throw new RequestStateError(request.requestId, request.status, 'mail: the account is gone');
    return subject.email;
  }

  /** A request change stamped with this lifecycle's clock. */
  protected update(requestId: string, changes: Partial<PrivacyRequest>, transition?: Transition, at: Date = this.deps.now()) {
    return this.deps.requests.update(requestId, changes, transition, at);
  }

  /** The closing mail of `kind`, sent once (`mailOnce`). */
  mailOnce(requestId: string, kind: ClosingMail, mail: OutgoingMail): Promise<boolean> {
    return mailOnce(this.deps, requestId, kind, mail);
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

  /** The requests of `request`'s letter that still exist, the link's holder first. */
  protected async letterRequests(request: PrivacyRequest): Promise<PrivacyRequest[]> {
    const ids = letterOf(request);
    if (ids.length === 1) return [request];
    const found = await Promise.all(ids.map((id) => (id === request.requestId ? request : this.deps.requests.get(id))));
    return found.filter((r): r is PrivacyRequest => r !== undefined);
  }

  async markInProgress(requestId: string): Promise<void> {
    const request = await this.require(requestId);
    if (request.status === 'in_progress') return;
    const updated = await this.update(requestId, { taskToken: undefined }, { status: 'in_progress', from: ['confirmed'] });
    if (!updated) throw new RequestStateError(requestId, request.status, 'start');
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
    await this.deps.mailer.send({
      to: await this.registeredAddress(request),
      ...requestMail(request, (m) => ({
        subject: m.t('person.subject', { requestId }),
        paragraphs: [
          m.t('person.confirmed', { right: rightLabel(m, request.type) }),
          why ? m.t(`person.${kind}`) : whatHappens(m, request.type),
          m.t('person.due', { due: new Date(request.dueAt) }),
        ],
      })),
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
    if (closed) await this.deps.requests.releaseOpen(closed.accountId, openSlotOf(closed), requestId);
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
    await this.deps.mailer.send({
      to,
      subject: m.t('expired.subject', { requestId }),
      ...m.mail([m.t('expired.body', { right: m.list(rights.map((type) => rightLabel(m, type))), ...privacyLinks(this.deps.publicUrl) })]),
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
}
