import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DELIVERY_RECORD_DAYS, NOTICE_RETENTION_DAYS } from '../../shared/notice-topics';
import { type DeliveryOutcome, deliveryKeyOf, type NoticeJob, type NoticeStore } from '../domain/model';
import { ITEMS } from '../../shared/items';

const jobKey = (noticeId: string) => ITEMS.noticeJob.key({ noticeId });
const deliveryKey = (noticeId: string, accountId: string) =>
  ITEMS.noticeDelivery.key({ noticeId, delivery: deliveryKeyOf(noticeId, accountId) });
const expiry = (at: string, days: number) => Math.floor(Date.parse(at) / 1000) + days * 86_400;

/**
 * Notices in the `notices` table: the job at `NOTICE#<id>/JOB`, and beside it one delivery record per
 * recipient at `R#<sha256(notice:account)>` — claimed by a conditional put, so only one sender ever
 * sends to a recipient, then settled with its outcome. Both expire (TTL); the notice's text stays in
 * the audit trail.
 */
export class DynamoDbNoticeStore implements NoticeStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(noticeId: string): Promise<NoticeJob | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: jobKey(noticeId), ConsistentRead: true }));
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, expiresAt: _ttl, ...job } = Item;
    return job as NoticeJob;
  }

  async createIfAbsent(job: NoticeJob): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...jobKey(job.noticeId), ...job, expiresAt: expiry(job.createdAt, NOTICE_RETENTION_DAYS) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async claim(noticeId: string, accountId: string, at: string): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...deliveryKey(noticeId, accountId), outcome: 'claimed', at, expiresAt: expiry(at, DELIVERY_RECORD_DAYS) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async settle(noticeId: string, accountId: string, outcome: DeliveryOutcome): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: deliveryKey(noticeId, accountId),
        UpdateExpression:
          outcome.outcome === 'skipped' ? 'SET outcome = :o, settledAt = :at, why = :why' : 'SET outcome = :o, settledAt = :at',
        ConditionExpression: 'outcome = :claimed',
        ExpressionAttributeValues: {
          ':o': outcome.outcome,
          ':at': outcome.at,
          ':claimed': 'claimed',
          ...(outcome.outcome === 'skipped' ? { ':why': outcome.why } : {}),
        },
      }),
    );
  }

  async release(noticeId: string, accountId: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.table,
          Key: deliveryKey(noticeId, accountId),
          ConditionExpression: 'outcome = :claimed',
          ExpressionAttributeValues: { ':claimed': 'claimed' },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async progress(noticeId: string): Promise<Record<DeliveryOutcome['outcome'], number>> {
    const counts = { sent: 0, skipped: 0, claimed: 0 };
    for await (const item of this.deliveries(noticeId, 'outcome')) counts[item.outcome as DeliveryOutcome['outcome']]++;
    return counts;
  }

  async handled(noticeId: string): Promise<Set<string>> {
    const keys = new Set<string>();
    for await (const item of this.deliveries(noticeId, 'sk')) keys.add(String(item.sk).slice(2));
    return keys;
  }

  private async *deliveries(noticeId: string, projection: string): AsyncGenerator<Record<string, unknown>> {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :r)',
          ExpressionAttributeValues: { ':pk': `NOTICE#${noticeId}`, ':r': 'R#' },
          ProjectionExpression: projection,
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      yield* page.Items ?? [];
      start = page.LastEvaluatedKey;
    } while (start);
  }
}
