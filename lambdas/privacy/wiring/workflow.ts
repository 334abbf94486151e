import { DynamoDbEmailLinkTokens } from '../../shared/adapters/dynamodb-email-link-tokens';
import { DynamoDbUsageLogs } from '../../shared/adapters/dynamodb-usage-logs';
import { stripeClient, stripeKeys } from '../../shared/adapters/stripe-client';
import { dynamo } from '../../shared/clients/dynamodb';
import { s3 } from '../../shared/clients/s3';
import { boundTables, lazily } from '../../shared/config';
import { pseudonymiserFromEnv } from '../../shared/pseudonyms';
import { TABLE_SPECS, type TableName } from '../../shared/tables';
import { DynamoDbEraser } from '../adapters/dynamodb-eraser';
import { DynamoDbHolds } from '../adapters/dynamodb-holds';
import { DynamoDbPreferences } from '../adapters/dynamodb-preferences';
import { DynamoDbProfileCorrector } from '../adapters/dynamodb-profile-corrector';
import { DynamoDbSubjectData } from '../adapters/dynamodb-subject-data';
import { S3ArchiveSink } from '../adapters/s3-archive';
import { StripeCustomers } from '../adapters/stripe-customers';
import { workflowConfig } from '../config';
import { ConfirmationMail } from '../domain/confirmation';
import { ErasureSteps } from '../domain/erasure-steps';
import { EXPORTED_TABLES } from '../domain/export';
import { ExportSteps } from '../domain/export-steps';
import { RequestRecords } from '../domain/request-records';
import { core, deletionTermsOf } from './core';

/** The workflow's tasks: every step of every right, erasure included. */
export const workflowWiring = lazily(() => {
  const config = workflowConfig();
  const ports = core(config);
  const usageLogs = new DynamoDbUsageLogs(dynamo, config.TABLE_USAGE_LOGS);
  const keys = stripeKeys();
  const pseudonyms = pseudonymiserFromEnv();
  const holds = new DynamoDbHolds(dynamo, { ledger: config.TABLE_LEDGER, privacyRequests: config.TABLE_PRIVACY_REQUESTS });
  const eraser = new DynamoDbEraser(
    dynamo,
    boundTables(config, Object.keys(TABLE_SPECS) as TableName[]),
    usageLogs,
    s3,
    { inboundMail: config.BUCKET_INBOUND_MAIL, exports: config.BUCKET_EXPORTS },
    async () => {
      const { apiKey } = await keys();
      return apiKey ? new StripeCustomers(stripeClient(apiKey)) : undefined;
    },
    pseudonyms,
  );
  return {
    ...ports,
    records: new RequestRecords(ports),
    confirmations: new ConfirmationMail({ ...ports, deletionTerms: deletionTermsOf(config) }),
    exports: new ExportSteps({
      ...ports,
      exports: {
        data: new DynamoDbSubjectData(dynamo, boundTables(config, EXPORTED_TABLES), usageLogs),
        sink: (key) => new S3ArchiveSink(s3, config.BUCKET_EXPORTS, key),
      },
    }),
    erasure: new ErasureSteps({ ...ports, holds, eraser, pseudonyms, coolingOffSeconds: config.COOLING_OFF_SECONDS }),
    preferences: new DynamoDbPreferences(dynamo, config.TABLE_ACCOUNTS),
    corrector: new DynamoDbProfileCorrector(dynamo, config.TABLE_ACCOUNTS),
    emailLinkTokens: new DynamoDbEmailLinkTokens(dynamo, config.TABLE_TOKENS),
  };
});
