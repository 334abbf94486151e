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

/** A log cursor that is not one this account was given for this query. */
export class InvalidCursorError extends ValidationError {
  constructor() {
    super(
      'query.cursor: not a cursor from a previous page of this query',
      [{ path: 'query.cursor', message: 'not a cursor from a previous page of this query' }],
      'invalid_cursor',
    );
    this.name = 'InvalidCursorError';
  }
}

/** A per-key usage range holding more calls than one answer counts. */
export class TooManyCallsError extends ValidationError {
  constructor(max: number) {
    super(
      `query: per-key usage counts at most ${max} calls per request, and reads a bounded part of a busy account's logs; narrow the range or the key`,
      [{ path: 'query.from', message: 'too many calls in range' }],
      'range_too_busy',
    );
    this.name = 'TooManyCallsError';
  }
}
