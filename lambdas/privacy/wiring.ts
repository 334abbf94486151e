import { DynamoDbWindowCounter } from '../shared/adapters/dynamodb-counter';
import { DynamoDbEmailLinkTokens } from '../shared/adapters/dynamodb-email-link-tokens';
import { DynamoDbUsageLogs } from '../shared/adapters/dynamodb-usage-logs';
import { SesMailer } from '../shared/adapters/ses-mailer';
import { stripeClient, stripeKeys } from '../shared/adapters/stripe-client';
import { dynamo } from '../shared/clients/dynamodb';
import { s3 } from '../shared/clients/s3';
import { ses } from '../shared/clients/sesv2';
import { sfn } from '../shared/clients/sfn';
import { boundTables, lazily } from '../shared/config';
import { pseudonymiserFromEnv } from '../shared/pseudonyms';
import { TABLE_SPECS, type TableName } from '../shared/tables';
import { DynamoDbEraser } from './adapters/dynamodb-eraser';
import { DynamoDbHolds } from './adapters/dynamodb-holds';
import { DynamoDbPaidCredits } from './adapters/dynamodb-paid-credits';
import { DynamoDbPreferences } from './adapters/dynamodb-preferences';
import { DynamoDbProfileCorrector } from './adapters/dynamodb-profile-corrector';
import { DynamoDbRequests } from './adapters/dynamodb-requests';
import { DynamoDbSubjectData } from './adapters/dynamodb-subject-data';
import { DynamoDbSubjects } from './adapters/dynamodb-subjects';
import { presigner, S3ArchiveSink } from './adapters/s3-archive';
import { StepFunctionsWorkflow } from './adapters/sfn-workflow';
import { StripeCustomers } from './adapters/stripe-customers';
import { type CoreConfig, confirmConfig, intakeConfig, requestsConfig, watchdogConfig, workflowConfig } from './config';
import { ConfirmationLinks, ConfirmationMail } from './domain/confirmation';
import { ErasureSteps } from './domain/erasure-steps';
import { EXPORTED_TABLES } from './domain/export';
import { Downloads, ExportSteps } from './domain/export-steps';
import { PrivacyIntake } from './domain/intake';
import { LegalClock } from './domain/legal-clock';
import type { DeletionTerms } from './domain/ports';
import { RequestRecords } from './domain/request-records';

/** The ports every privacy function has, from the settings every one is bound to. */
function core(config: CoreConfig) {
  return {
    requests: new DynamoDbRequests(dynamo, config.TABLE_PRIVACY_REQUESTS),
    subjects: new DynamoDbSubjects(dynamo, config.TABLE_ACCOUNTS),
    workflow: new StepFunctionsWorkflow(sfn, config.STATE_MACHINE_PRIVACY_WORKFLOW_ARN),
    mailer: new SesMailer(ses, config.MAIL_FROM),
    publicUrl: config.PUBLIC_URL,
    linkLifeHours: config.LINK_LIFE_HOURS,
    reminderAfterHours: config.REMINDER_AFTER_HOURS,
    now: () => new Date(),
  };
}

/** Intake: the core ports, the flood counters, our own mail domain and the legal deadlines. */
const intakeOf = (config: CoreConfig, ports: ReturnType<typeof core>) =>
  new PrivacyIntake({
    ...ports,
    counter: new DynamoDbWindowCounter(dynamo, config.TABLE_PRIVACY_REQUESTS),
    ownDomain: config.MAIL_FROM.split('@')[1],
    deadlines: config.PRIVACY_DEADLINES,
  });

/** What a deletion costs, from the ledger and the cooling-off setting, for the functions that tell it. */
const deletionTermsOf = (config: { TABLE_LEDGER: string; COOLING_OFF_SECONDS: number }): DeletionTerms => ({
  paidCredits: new DynamoDbPaidCredits(dynamo, config.TABLE_LEDGER),
  coolingOffSeconds: config.COOLING_OFF_SECONDS,
});

/** The privacy mail intake. */
export const intakeWiring = lazily(() => {
  const config = intakeConfig();
  return { intake: intakeOf(config, core(config)) };
});

/** The signed-in API: intake, the session's confirmation and the archive's downloads. */
export const requestsWiring = lazily(() => {
  const config = requestsConfig();
  const ports = core(config);
  return {
    requests: ports.requests,
    intake: intakeOf(config, ports),
    links: new ConfirmationLinks(ports),
    downloads: new Downloads({ ...ports, presign: presigner(s3, config.BUCKET_EXPORTS) }),
  };
});

/** The confirmation and cancel links' pages. */
export const confirmWiring = lazily(() => {
  const config = confirmConfig();
  return { links: new ConfirmationLinks(core(config)), deletionTerms: deletionTermsOf(config) };
});

/** The watchdog: reminders and expiry of links, deferred deletions to resume, the legal clock. */
export const watchdogWiring = lazily(() => {
  const config = watchdogConfig();
  const ports = core(config);
  return {
    requests: ports.requests,
    workflow: ports.workflow,
    confirmations: new ConfirmationMail({ ...ports, deletionTerms: deletionTermsOf(config) }),
    clock: new LegalClock(ports),
    holds: new DynamoDbHolds(dynamo, { ledger: config.TABLE_LEDGER, privacyRequests: config.TABLE_PRIVACY_REQUESTS }),
  };
});

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
