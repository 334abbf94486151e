import { ScryptHasher, scryptCostOf } from '../../shared/adapters/scrypt-hasher';
import { SesMailer } from '../../shared/adapters/ses-mailer';
import { dynamo } from '../../shared/clients/dynamodb';
import { ses } from '../../shared/clients/sesv2';
import { sfn } from '../../shared/clients/sfn';
import { DynamoDbPaidCredits } from '../adapters/dynamodb-paid-credits';
import { DynamoDbRequests } from '../adapters/dynamodb-requests';
import { DynamoDbSubjects } from '../adapters/dynamodb-subjects';
import { StepFunctionsWorkflow } from '../adapters/sfn-workflow';
import type { CoreConfig } from '../config';
import type { DeletionTerms } from '../domain/ports';

/**
 * The privacy functions' wiring, one module per function (`./intake`, `./requests`, `./confirm`,
 * `./watchdog`, `./workflow`), each importing only what its function uses: the letter vocabularies
 * (~1 MB bundled) go only into the functions that read letters, the archive writer and Stripe only
 * into the workflow. This one holds the ports every privacy function has.
 */
export function core(config: CoreConfig) {
  return {
    requests: new DynamoDbRequests(dynamo, config.TABLE_PRIVACY_REQUESTS),
    subjects: new DynamoDbSubjects(dynamo, config.TABLE_ACCOUNTS, new ScryptHasher(scryptCostOf())),
    workflow: new StepFunctionsWorkflow(sfn, config.STATE_MACHINE_PRIVACY_WORKFLOW_ARN),
    mailer: new SesMailer(ses, config.MAIL_FROM),
    publicUrl: config.PUBLIC_URL,
    linkLifeHours: config.LINK_LIFE_HOURS,
    reminderAfterHours: config.REMINDER_AFTER_HOURS,
    now: () => new Date(),
  };
}

/** What a deletion costs, from the ledger and the cooling-off setting, for the functions that tell it. */
export const deletionTermsOf = (config: { TABLE_LEDGER: string; COOLING_OFF_SECONDS: number }): DeletionTerms => ({
  paidCredits: new DynamoDbPaidCredits(dynamo, config.TABLE_LEDGER),
  coolingOffSeconds: config.COOLING_OFF_SECONDS,
});
