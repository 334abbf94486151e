import { SFNClient } from '@aws-sdk/client-sfn';
import { traced } from '../tracer';

/** The Step Functions client, created once per container, traced. */
export const sfn = traced(new SFNClient({}));
