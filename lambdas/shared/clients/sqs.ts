import { traced } from '../tracer';
import { newSqsClient } from './factories';

/** The SQS client, created once per container, traced. */
export const sqs = traced(newSqsClient());
