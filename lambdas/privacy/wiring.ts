import { DynamoDbWindowCounter } from '../shared/adapters/dynamodb-counter';
import { SesMailer } from '../shared/adapters/ses-mailer';
import { dynamo } from '../shared/clients/dynamodb';
import { ses } from '../shared/clients/sesv2';
import { sfn } from '../shared/clients/sfn';
import { DynamoDbRequests } from './adapters/dynamodb-requests';
import { DynamoDbSubjects } from './adapters/dynamodb-subjects';
import { StepFunctionsWorkflow } from './adapters/sfn-workflow';
import { type ExportDeps, type Presign, RequestLifecycle } from './domain/lifecycle';
import { PrivacyIntake } from './domain/intake';
import type { DeletionTerms, PrivacyDeps } from './domain/ports';
import { DynamoDbPaidCredits } from './adapters/dynamodb-paid-credits';
import type { intakeConfig } from './config';

/** The ports every privacy function shares, from its validated config. */
export function privacyDeps(config: ReturnType<typeof intakeConfig>): PrivacyDeps & { reminderAfterHours: number } {
  return {
    requests: new DynamoDbRequests(dynamo, config.TABLE_PRIVACY_REQUESTS),
    subjects: new DynamoDbSubjects(dynamo, config.TABLE_ACCOUNTS),
    workflow: new StepFunctionsWorkflow(sfn, config.STATE_MACHINE_PRIVACY_WORKFLOW_ARN),
    mailer: new SesMailer(ses, config.MAIL_FROM),
    counter: new DynamoDbWindowCounter(dynamo, config.TABLE_PRIVACY_REQUESTS),
    publicUrl: config.PUBLIC_URL,
    ownDomain: config.MAIL_FROM.split('@')[1],
    linkLifeHours: config.LINK_LIFE_HOURS,
    deadlines: config.PRIVACY_DEADLINES,
    reminderAfterHours: config.REMINDER_AFTER_HOURS,
    now: () => new Date(),
  };
}

export const intakeOf = (deps: PrivacyDeps) => new PrivacyIntake(deps);
export const lifecycleOf = (
  deps: ReturnType<typeof privacyDeps>,
  options: { exports?: ExportDeps; presign?: Presign; deletionTerms?: DeletionTerms } = {},
) => new RequestLifecycle({ ...deps, ...options });

/** What a deletion costs, from the ledger and the cooling-off setting, for the functions that tell it. */
export const deletionTermsOf = (config: { TABLE_LEDGER: string; COOLING_OFF_SECONDS: number }): DeletionTerms => ({
  paidCredits: new DynamoDbPaidCredits(dynamo, config.TABLE_LEDGER),
  coolingOffSeconds: config.COOLING_OFF_SECONDS,
});
