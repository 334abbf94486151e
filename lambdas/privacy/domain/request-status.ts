/** Where a privacy request stands; the workflow moves it along, a person may finish it. */
export const REQUEST_STATUSES = ['received', 'in_progress', 'needs_manual_action', 'completed', 'rejected'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** Port: the privacy-requests store, as the workflow needs it. */
export interface RequestStatusStore {
  /** Sets the status; throws RequestNotFoundError when no such request exists. */
  setStatus(requestId: string, status: RequestStatus, at: string): Promise<void>;
}

export class RequestNotFoundError extends Error {
  constructor(readonly requestId: string) {
    super(`No privacy request ${requestId}`);
    this.name = 'RequestNotFoundError';
  }
}
