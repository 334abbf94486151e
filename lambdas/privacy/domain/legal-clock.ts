import { RequestStateError } from '../errors';

import { rightLabel } from './export';
import type { PrivacyRequest } from './model';
import { RequestRecords, requestMail } from './request-records';

/** The legal clock: the watchdog's count of requests near or past their deadline, and ops' extension of one. */
export class LegalClock extends RequestRecords {
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
    await this.deps.mailer.send({
      to: await this.registeredAddress(request),
      // The reason is the operator's own words, quoted as written.
      ...requestMail(request, (m) => ({
        subject: m.t('extension.subject', { requestId }),
        paragraphs: [
          m.t('extension.body', { right: rightLabel(m, request.type), due: dueAt }),
          m.t('extension.why', { reason }),
          m.t('extension.law'),
        ],
      })),
    });
    return extended!;
  }
}
