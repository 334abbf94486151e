import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SecurityEvent } from '../security-events';
import { ITEMS } from '../items';

/** A security event is kept a year (data map), then DynamoDB TTL removes it. */
export const SECURITY_EVENT_TTL_SECONDS = 365 * 24 * 3600;

/** Port: where security events are written, by any context that raises one. */
export interface SecurityEventSink {
  record(event: SecurityEvent): Promise<void>;
}

/** Security events at `ACCOUNT#<id>/<at>#<eventId>` in the securityEvents table, listed by their owner newest first. */
export class DynamoDbSecurityEvents implements SecurityEventSink {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async record(event: SecurityEvent): Promise<void> {
    const expiresAt = Math.floor(Date.parse(event.at) / 1000) + SECURITY_EVENT_TTL_SECONDS;
    await this.client.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...ITEMS.securityEvent.key({ accountId: event.accountId, at: event.at, eventId: event.eventId }), ...event, expiresAt },
      }),
    );
  }
}
