import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';

/**
 * How clients are made, traced or not: the shared clients wrap these for X-Ray; the metered gateway
 * uses them bare, so its bundle and cold start carry no X-Ray SDK.
 */
export const newDynamoDbClient = () => new DynamoDBClient({});

/** The document client over a base client (traced or not); undefined attributes are dropped. */
export const documentClient = (base: DynamoDBClient) =>
  DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });

export const newSqsClient = () => new SQSClient({});
