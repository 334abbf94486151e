import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * X-Ray for every function but the metered gateway (which keeps the X-Ray SDK out of its bundle): a
 * subsegment per AWS call and per handler. Off outside Lambda (tests, the local runtime). Responses are
 * never recorded (POWERTOOLS_TRACER_CAPTURE_RESPONSE=false on every function): they hold personal
 * data and, once, an API key's secret.
 */
export const tracer = new Tracer();

/** The client, with a subsegment per call when tracing is on (the client itself, unchanged, when it is off). */
export function traced<T>(client: T, by: Pick<Tracer, 'captureAWSv3Client'> = tracer): T {
  return by.captureAWSv3Client(client);
}
