import { dynamoDbSessionLookup, sessionAuthenticator } from '../../shared/auth/session';
import { dynamo } from '../../shared/clients/dynamodb';
import { microToCredits } from '../../shared/credits';
import { json } from '../../shared/http';
import { httpRoutes, route } from '../../shared/middleware/http-handler';
import { DynamoDbLedger } from '../adapters/dynamodb-ledger';
import { balanceConfig } from '../config';
import { billingRoutes } from '../routes';

const config = balanceConfig();
const ledger = new DynamoDbLedger(dynamo, config.TABLE_LEDGER);
const authenticate = sessionAuthenticator(dynamoDbSessionLookup(dynamo, config.TABLE_SESSIONS));

/** The caller's balance and ledger, read-only. */
export const handler = httpRoutes(
  route(
    billingRoutes.balance,
    async (event) => {
      const balanceMicro = await ledger.balance(event.principal.accountId);
      return json(200, { balanceMicro, credits: microToCredits(balanceMicro) });
    },
    { authenticate },
  ),
  route(
    billingRoutes.ledger,
    async (event) => {
      const page = await ledger.page(event.principal.accountId, event.input.query);
      return json(200, {
        entries: page.entries.map((e) => ({ ...e, amount: microToCredits(e.amountMicro) })),
        nextCursor: page.nextCursor && Buffer.from(page.nextCursor).toString('base64url'),
      });
    },
    { authenticate },
  ),
);
