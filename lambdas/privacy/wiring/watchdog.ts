import { dynamo } from '../../shared/clients/dynamodb';
import { lazily } from '../../shared/config';
import { DynamoDbHolds } from '../adapters/dynamodb-holds';
import { watchdogConfig } from '../config';
import { ConfirmationMail } from '../domain/confirmation';
import { LegalClock } from '../domain/legal-clock';
import { core, deletionTermsOf } from './core';

/** The watchdog: reminders and expiry of links, deferred deletions to resume, the legal clock. It reads no letter. */
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
