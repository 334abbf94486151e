/** Where a privacy request stands; the workflow moves it along, a person may finish it. */
export const REQUEST_STATUSES = ['received', 'in_progress', 'needs_manual_action', 'completed', 'rejected'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** A request is kept this long after it ends, as proof it was answered (docs/data-map.md). */
export const RETENTION_AFTER_END_DAYS = 3 * 365;

/** Epoch seconds the request may be deleted, once it has ended; undefined while it is open. */
export function expiryFor(status: RequestStatus, at: Date): number | undefined {
  if (status !== 'completed' && status !== 'rejected') return undefined;
  return Math.floor(at.getTime() / 1000) + RETENTION_AFTER_END_DAYS * 86_400;
}

/** Port: the privacy-requests store, as the workflow needs it. */
export interface RequestStatusStore {
  /** Sets the status (and the expiry of an ended request); throws RequestNotFoundError when no such request exists. */
  setStatus(requestId: string, status: RequestStatus, at: string, expiresAt?: number): Promise<void>;
}

export class RequestNotFoundError extends Error {
  constructor(readonly requestId: string) {
    super(`No privacy request ${requestId}`);
    this.name = 'RequestNotFoundError';
  }
}
