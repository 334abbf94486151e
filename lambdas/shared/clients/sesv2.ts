import { SESv2Client } from '@aws-sdk/client-sesv2';
import { traced } from '../tracer';

/** The SES v2 client, created once per container, traced. */
export const ses = traced(new SESv2Client({}));
