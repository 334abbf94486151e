import { consoleUrl } from '../../shared/console-links';
import { randomSecret, sha256 } from '../../shared/crypto';
import { DATA_MAP } from '../../shared/data-map';
import type { Mailer } from '../../shared/mailer';
import { RequestStateError } from '../errors';
import type { Pseudonymiser } from '../../shared/pseudonyms';
import { auditRetentionDaysOf } from '../../shared/audit';
import { type Messages, messagesFor } from '../messages';
import { ERASURE_ORDER, HOLD_REASONS, type ErasureRecord, type ErasureSubject, type HoldChecks, type SubjectEraser } from './erasure';
import type { PrivacyRequest } from './model';
import { mailOnce, requestMail } from './request-records';
import type { RequestStore, Workflow } from './ports';

export interface ErasureDeps {
  requests: RequestStore;
  eraser: SubjectEraser;
  holds: HoldChecks;
  workflow: Workflow;
  mailer: Mailer;
  /** Keyed pseudonyms for what is kept: the finished request names the person by them only. */
  pseudonyms: Pseudonymiser;
  publicUrl: string;
  /** How long erasure waits after confirmation, while it can be cancelled. */
  coolingOffSeconds: number;
  now: () => Date;
}

/** Items erased per workflow step: BatchWriteItem pages, so 100,000 logs take a loop of short steps. */
export const ERASURE_PAGE = 1_000;

/** Thrown by the proof when anything of the person is still stored: the request fails loudly (alarm). */
export class ErasureIncompleteError extends Error {
  constructor(traces: string[]) {
    super(`Erasure left traces: ${traces.slice(0, 10).join('; ')}${traces.length > 10 ? ` (and ${traces.length - 10} more)` : ''}`);
    this.name = 'ErasureIncomplete';
  }
}

/** What is kept after erasure, and why (from the data map). */
const KEPT = (Object.entries(DATA_MAP) as [string, (typeof DATA_MAP)[keyof typeof DATA_MAP]][])
  .filter(([, entry]) => entry.erasure.kind !== 'delete' && entry.personalData.length)
  .map(([category, entry]) => ({ category, reason: 'reason' in entry.erasure ? entry.erasure.reason : '', retention: entry.retention }));

/** A hold's reason in the reply's language: the holds this code knows by their words, anything else as it is. */
function holdReason(m: Messages, reason: string): string {
  if (reason.startsWith(HOLD_REASONS.legal)) return m.t('hold.legal', { detail: reason.slice(HOLD_REASONS.legal.length).trim() });
  if (reason === HOLD_REASONS.negativeBalance) return m.t('hold.negativeBalance');
  if (reason === HOLD_REASONS.dispute) return m.t('hold.dispute');
  return reason;
}

/** What is kept after erasure, in the reply's language where the catalogue words it (the data map's English otherwise). */
function keptLine(m: Messages, kept: { category: string; reason: string; retention: string }): string {
  const key = `kept.${kept.category}`;
  if (key === 'kept.other' || !m.has(key))
    return m.t('kept.other', {
      category: m.t('category.label', { category: kept.category }),
      reason: kept.reason,
      retention: kept.retention,
    });
  // The stage's retention, as the workflow's binding gives it (AUDIT_RETENTION_DAYS): the receipt names what is really kept.
  return m.t(key, { days: auditRetentionDaysOf() });
}

/**
 * Deletion, step by step as the workflow runs it: holds first (an open dispute, a negative balance
 * or a legal hold defer it, with the reason told), then a cooling-off period with a cancel link, then
 * access stops, every data-map category is erased a page at a time (the ledger pseudonymised), the
 * Stripe customer deleted, the result proven by a re-scan, and a receipt mailed. Each step is safe to retry.
 */
export class ErasureSteps {
  constructor(private readonly deps: ErasureDeps) {}

  private async require(requestId: string): Promise<PrivacyRequest> {
    const request = await this.deps.requests.get(requestId);
    if (!request) throw new RequestStateError(requestId, 'missing', 'erasure');
    return request;
  }

  /** Holds that defer the erasure; when there are any, the request says so and the holder is told once. */
  async checkHolds(requestId: string): Promise<{ held: boolean; reasons: string[] }> {
    const request = await this.require(requestId);
    const reasons = await this.deps.holds.reasons(request.accountId);
    if (!reasons.length) return { held: false, reasons };
    const alreadyTold = request.status === 'in_progress' && request.heldBy?.join('; ') === reasons.join('; ');
    if (!alreadyTold) {
      await this.deps.requests.update(requestId, { heldBy: reasons }, { status: 'in_progress', note: `deferred: ${reasons.join('; ')}` });
      await this.deps.mailer.send({
        to: request.email,
        ...requestMail(request, (m) => ({
          subject: m.t('hold.subject', { requestId }),
          paragraphs: [
            m.t('hold.body', { reasons: m.list(reasons.map((r) => holdReason(m, r))) }),
            m.t('hold.law'),
            m.t('hold.clock', { due: new Date(request.dueAt) }),
          ],
        })),
      });
    }
    return { held: true, reasons };
  }

  /** The workflow waits here while held; the watchdog resumes it once the holds are gone. */
  async awaitHoldRelease(requestId: string, taskToken: string): Promise<void> {
    await this.deps.requests.update(requestId, { taskToken });
    if (!(await this.deps.holds.reasons((await this.require(requestId)).accountId)).length)
      await this.deps.workflow.resume(taskToken, { released: true });
  }

  /** Starts the cooling-off: mails when erasure will start and a link to cancel it. */
  async startCoolingOff(requestId: string, taskToken: string): Promise<void> {
    const request = await this.require(requestId);
    const token = randomSecret();
    const startsAt = new Date(this.deps.now().getTime() + this.deps.coolingOffSeconds * 1000);
    await this.deps.requests.update(
      requestId,
      { taskToken, cancelTokenHash: sha256(token), erasureStartsAt: startsAt.toISOString() },
      {
        status: 'in_progress',
        note: `cooling-off until ${startsAt.toISOString()}`,
      },
    );
    const m = messagesFor(request.language);
    await this.deps.mailer.send({
      to: request.email,
      subject: m.t('cooling.subject', { startsAt }),
      ...m.mail([
        m.t('cooling.body', { requestId, startsAt }),
        consoleUrl(this.deps.publicUrl, 'privacyCancel', { request: requestId, token }),
        '',
        m.t('cooling.after'),
      ]),
    });
  }

  /** Access stops at once: keys revoked (the gateway's key cache is the only delay), sessions ended. */
  async stopAccess(requestId: string): Promise<void> {
    const request = await this.require(requestId);
    if (request.erasure) return;
    const subject = await this.deps.eraser.capture(request.accountId);
    if (!subject) throw new RequestStateError(requestId, request.status, 'stop access: the account is gone');
    const stopped = await this.deps.eraser.stopAccess(subject);
    const record: ErasureRecord & { subject: ErasureSubject } = {
      emailPseudonym: await this.deps.pseudonyms.of('email', subject.email),
      startedAt: this.deps.now().toISOString(),
      step: 0,
      counts: { apiKeys: 0, sessions: stopped.sessions },
      kept: KEPT,
      subject,
    };
    await this.deps.requests.update(
      requestId,
      { taskToken: undefined, erasure: record },
      {
        status: 'in_progress',
        note: `erasing: ${stopped.keys} key(s) revoked and ${stopped.sessions} session(s) ended`,
      },
    );
  }

  /** One page of the current category; `remaining` until every category is done. */
  async erasePage(requestId: string): Promise<{ remaining: boolean }> {
    const request = await this.require(requestId);
    const erasure = request.erasure;
    if (!erasure?.subject) throw new RequestStateError(requestId, request.status, 'erase');
    if (erasure.step >= ERASURE_ORDER.length) return { remaining: false };
    const category = ERASURE_ORDER[erasure.step]!;
    const { erased, remaining } = await this.deps.eraser.erasePage(category, erasure.subject, ERASURE_PAGE);
    const counts = { ...erasure.counts, [category]: (erasure.counts[category] ?? 0) + erased };
    const step = remaining ? erasure.step : erasure.step + 1;
    await this.deps.requests.update(requestId, { erasure: { ...erasure, counts, step } });
    return { remaining: step < ERASURE_ORDER.length };
  }

  /**
   * The Stripe customer, then the proof, a bounded part of the re-scan per step: nothing of the account
   * id, the email or the customer id may be left anywhere. `remaining` until the whole store has been
   * looked at; then anything found fails the request loudly.
   */
  async prove(requestId: string): Promise<{ remaining: boolean }> {
    const request = await this.require(requestId);
    let erasure = request.erasure!;
    const subject = erasure.subject!;
    if (subject.stripeCustomerId && erasure.counts.stripeCustomer === undefined) {
      await this.deps.eraser.deleteStripeCustomer(subject.stripeCustomerId);
      erasure = { ...erasure, counts: { ...erasure.counts, stripeCustomer: 1 } };
      await this.deps.requests.update(requestId, { erasure });
    }
    // A finished proof that is asked again (ops privacy retry) looks at everything afresh.
    const progress = erasure.proof?.done ? undefined : erasure.proof;
    const { found, next } = await this.deps.eraser.traces(subject, { requestId }, progress?.next);
    const traces = [...(progress?.found ?? []), ...found].slice(0, 100);
    await this.deps.requests.update(requestId, {
      erasure: { ...erasure, proof: next ? { found: traces, next } : { found: traces, done: true } },
    });
    if (next) return { remaining: true };
    if (traces.length) throw new ErasureIncompleteError(traces);
    return { remaining: false };
  }

  /** The receipt to the former address, then the request keeps only the proof: counts, times, a hashed address. */
  async receiptAndClose(requestId: string): Promise<void> {
    const request = await this.require(requestId);
    if (request.status === 'completed') return;
    const erasure = request.erasure!;
    const subject = erasure.subject!;
    const finishedAt = this.deps.now().toISOString();
    await mailOnce(this.deps, requestId, 'erasureReceipt', {
      to: subject.email,
      ...requestMail(request, (m) => ({
        subject: m.t('receipt.subject', { requestId }),
        paragraphs: [
          m.t('receipt.erased'),
          ...Object.entries(erasure.counts).map(([category, count]) =>
            m.t('receipt.count', { category: m.t('category.label', { category }), count: count ?? 0 }),
          ),
          '',
          m.t('receipt.kept'),
          ...erasure.kept.map((k) => keptLine(m, k)),
          '',
          m.t('receipt.again'),
        ],
      })),
    });
    const { subject: _subject, proof: _progress, ...proof } = erasure;
    const pseudonym = await this.deps.pseudonyms.of('account', subject.accountId);
    // A record from before keyed pseudonyms carried a plain hash: it is replaced, never kept.
    const emailPseudonym = erasure.emailPseudonym ?? (await this.deps.pseudonyms.of('email', subject.email));
    delete (proof as { emailHash?: string }).emailHash;
    await this.deps.requests.update(
      requestId,
      {
        email: emailPseudonym,
        accountId: pseudonym,
        details: undefined,
        verdicts: undefined,
        erasure: { ...proof, emailPseudonym, finishedAt },
        expiresAt: Math.floor(Date.parse(finishedAt) / 1000) + 3 * 365 * 86_400,
      },
      { status: 'completed', note: 'erased; receipt mailed to the former address' },
    );
  }
}
