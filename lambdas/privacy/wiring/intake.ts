import { DynamoDbWindowCounter } from '../../shared/adapters/dynamodb-counter';
import { dynamo } from '../../shared/clients/dynamodb';
import { lazily } from '../../shared/config';
import { type CoreConfig, intakeConfig } from '../config';
import { PrivacyIntake } from '../domain/intake';
import { core } from './core';

/** Intake: the core ports, the flood counters, our own mail domain and the legal deadlines. */
export const intakeOf = (config: CoreConfig, ports: ReturnType<typeof core>) =>
  new PrivacyIntake({
    ...ports,
    counter: new DynamoDbWindowCounter(dynamo, config.TABLE_PRIVACY_REQUESTS),
    ownDomain: config.MAIL_FROM.split('@')[1],
    deadlines: config.PRIVACY_DEADLINES,
  });

/** The privacy mail intake: it reads letters. */
export const intakeWiring = lazily(() => {
  const config = intakeConfig();
  return { intake: intakeOf(config, core(config)) };
});
