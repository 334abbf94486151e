import { DynamoDbWindowCounter } from '../../shared/adapters/dynamodb-counter';
import { dynamo } from '../../shared/clients/dynamodb';
import { lazily } from '../../shared/config';
import { type CoreConfig, intakeConfig } from '../config';
import { ConfirmationMail } from '../domain/confirmation';
import { type LinkResender, PrivacyIntake } from '../domain/intake';
import { core, deletionTermsOf } from './core';

/** Intake: the core ports, the flood counters, our own mail domain and the legal deadlines. */
export const intakeOf = (config: CoreConfig, ports: ReturnType<typeof core>, confirmations?: LinkResender) =>
  new PrivacyIntake({
    ...ports,
    ...(confirmations ? { confirmations } : {}),
    counter: new DynamoDbWindowCounter(dynamo, config.TABLE_PRIVACY_REQUESTS),
    ownDomain: config.MAIL_FROM.split('@')[1],
    deadlines: config.PRIVACY_DEADLINES,
  });

/** The privacy mail intake: it reads letters, and mails a fresh link when a letter joins a request still waiting for its own. */
export const intakeWiring = lazily(() => {
  const config = intakeConfig();
  const ports = core(config);
  return { intake: intakeOf(config, ports, new ConfirmationMail({ ...ports, deletionTerms: deletionTermsOf(config) })) };
});
