import { SQSClient } from '@aws-sdk/client-sqs';

/** The SQS client, created once per container. */
export const sqs = new SQSClient({});
