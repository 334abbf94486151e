import { traced } from '../tracer';
import { documentClient, newDynamoDbClient } from './factories';

/** The DynamoDB document client, created once per container, traced (the document client shares its base's middleware). */
export const dynamo = documentClient(traced(newDynamoDbClient()));
