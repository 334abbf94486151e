import { ValidationError } from '../shared/errors';

/** A usage range whose end is before its start. */
export class RangeReversedError extends ValidationError {
  constructor() {
    super('query.to: must not be before from', [{ path: 'query.to', message: 'before from' }], 'range_reversed');
    this.name = 'RangeReversedError';
  }
}

/** A usage range with more buckets than one answer holds. */
export class RangeTooLongError extends ValidationError {
  constructor(max: number, granularity: string) {
    super(`query: at most ${max} ${granularity}s per request`, [{ path: 'query.from', message: 'range too long' }], 'range_too_long');
    this.name = 'RangeTooLongError';
  }
}

/** A usage event the worker cannot record now; SQS delivers it again. */
export class UsageRecordError extends Error {
  constructor(messageId: string) {
    super(`Usage event ${messageId} was not recorded; it will be delivered again`);
    this.name = 'UsageRecordError';
  }
}
