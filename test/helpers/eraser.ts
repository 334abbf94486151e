import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDbEraser } from '../../lambdas/privacy/adapters/dynamodb-eraser';
import { HmacPseudonymiser } from '../../lambdas/shared/pseudonyms';
import { TABLE_SPECS, type TableName } from '../../lambdas/shared/tables';
import type { UsageLogStore } from '../../lambdas/shared/usage-logs';
import type { LocalDynamo } from './local-dynamo';

/** The pseudonym key set the test eraser signs with. */
export const TEST_PSEUDONYM_KEYS = JSON.stringify({ current: 1, k1: 'k'.repeat(43) });

/** The eraser over every table (named as in the specs) and the two buckets, its usage logs showing nothing left. */
export const eraserOn = (dynamo: LocalDynamo, pagesPerStep?: number) =>
  new DynamoDbEraser(
    dynamo.client,
    Object.fromEntries(Object.keys(TABLE_SPECS).map((t) => [t, t])) as Record<TableName, string>,
    { any: async () => false } as unknown as UsageLogStore,
    new S3Client({ region: 'us-east-1' }),
    { inboundMail: 'mail', exports: 'exports' },
    async () => undefined,
    new HmacPseudonymiser(async () => TEST_PSEUDONYM_KEYS),
    pagesPerStep,
  );
