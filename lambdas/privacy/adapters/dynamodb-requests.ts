import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { queryAll } from '../../shared/dynamodb-query';
import { FINAL_STATUSES, type OpenSlot, type PrivacyRequest, type UnclearMail } from '../domain/model';
import type { ClosingMail, RequestStore, Transition } from '../domain/ports';
import { ITEMS } from '../../shared/items';

const requestKey = (requestId: string) => ITEMS.privacyRequest.key({ requestId });
const openKey = (accountId: string, slot: OpenSlot) => ITEMS.openRequestClaim.key({ accountId, type: slot });
/** Every request not yet ended: what the watchdog and `ops privacy list` read (sorted by deadline as they are read). */
const OPEN_INDEX = ITEMS.openRequestsIndex.spec.pk;
const OPEN_UNCLEAR_INDEX = ITEMS.openUnclearIndex.spec.pk;
const INTAKE_TTL_SECONDS = 30 * 86_400;
/** The attribute that records a closing mail's claim: when it was sent (`mailedObjectionAt`). */
const mailClaim = (kind: ClosingMail) => `mailed${kind.charAt(0).toUpperCase()}${kind.slice(1)}At`;
/** Lambda's longest run (15 minutes): a claim this old whose request was never stored has no opener left to store it. */
export const CLAIM_ORPHANED_AFTER_MS = 15 * 60_000;

function requestOf(item: Record<string, unknown> | undefined): PrivacyRequest | undefined {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, ...request } = item;
  return request as unknown as PrivacyRequest;
}

/**
 * Privacy requests in the privacyRequests table: `REQUEST#<id>` (listed per account through `gsi1`),
 * the open-request claim `OPEN#<account>#<slot>` that makes a second request asking the same join the
 * first (the slot is the type, and for a correction a digest of its words: `openSlotOf`) (written before the request, with the time it was claimed), the index of open requests, and intake records `INTAKE#<message id>`.
 */
export class DynamoDbRequests implements RequestStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async create(request: PrivacyRequest): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...requestKey(request.requestId),
            gsi1pk: ITEMS.privacyRequest.gsi1pk({ accountId: request.accountId }),
            gsi1sk: request.receivedAt,
            ...request,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
    await this.client.send(
      new PutCommand({ TableName: this.table, Item: { pk: OPEN_INDEX, sk: request.requestId, requestId: request.requestId } }),
    );
    return true;
  }

  async get(requestId: string): Promise<PrivacyRequest | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.table, Key: requestKey(requestId), ConsistentRead: true }));
    return requestOf(Item);
  }

  async listByAccount(accountId: string): Promise<PrivacyRequest[]> {
    const items = await queryAll(this.client, {
      TableName: this.table,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': ITEMS.privacyRequest.gsi1pk({ accountId }) },
      ScanIndexForward: false,
    });
    return items.map((item) => requestOf(item)!);
  }

  async claimOpen(accountId: string, slot: OpenSlot, requestId: string): Promise<string> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...openKey(accountId, slot), requestId, claimedAt: Date.now() },
          ConditionExpression: 'attribute_not_exists(pk) OR requestId = :id',
          ExpressionAttributeValues: { ':id': requestId },
        }),
      );
      return requestId;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const { Item } = await this.client.send(
        new GetCommand({ TableName: this.table, Key: openKey(accountId, slot), ConsistentRead: true }),
      );
      if (!Item) return this.claimOpen(accountId, slot, requestId);
      const holder = String(Item.requestId);
      if (!(await this.orphaned(Item))) return holder;
      return (await this.takeOver(accountId, slot, holder, Item.claimedAt, requestId))
        ? requestId
        : this.claimOpen(accountId, slot, requestId);
    }
  }

  /**
   * A claim whose opener stopped between claiming and storing its request (its function crashed or
   * timed out): older than any invocation can run, and no request under its id.
   */
  private async orphaned(claim: Record<string, unknown>): Promise<boolean> {
    if (Number(claim.claimedAt ?? 0) > Date.now() - CLAIM_ORPHANED_AFTER_MS) return false;
    return !(await this.get(String(claim.requestId)));
  }

  /** Replaces an orphaned claim, if it is still the one that was read. */
  private async takeOver(accountId: string, slot: OpenSlot, holder: string, claimedAt: unknown, requestId: string): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...openKey(accountId, slot), requestId, claimedAt: Date.now() },
          ConditionExpression:
            claimedAt === undefined ? 'requestId = :held AND attribute_not_exists(claimedAt)' : 'requestId = :held AND claimedAt = :at',
          ExpressionAttributeValues: { ':held': holder, ...(claimedAt === undefined ? {} : { ':at': claimedAt }) },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async releaseOpen(accountId: string, slot: OpenSlot, requestId: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.table,
          Key: openKey(accountId, slot),
          ConditionExpression: 'requestId = :id',
          ExpressionAttributeValues: { ':id': requestId },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async update(
    requestId: string,
    changes: Partial<PrivacyRequest>,
    transition?: Transition,
    at: Date = new Date(),
  ): Promise<PrivacyRequest | undefined> {
    const sets: string[] = [];
    const removes: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    Object.entries(changes).forEach(([field, value], i) => {
      names[`#f${i}`] = field;
      if (value === undefined) removes.push(`#f${i}`);
      else {
        sets.push(`#f${i} = :f${i}`);
        values[`:f${i}`] = value;
      }
    });
    const conditions = ['attribute_exists(pk)'];
    if (transition) {
      names['#status'] = 'status';
      sets.push('#status = :status', 'history = list_append(history, :entry)', 'updatedAt = :at');
      values[':status'] = transition.status;
      values[':at'] = at.toISOString();
      values[':entry'] = [{ status: transition.status, at: at.toISOString(), ...(transition.note ? { note: transition.note } : {}) }];
      if (transition.from?.length) {
        conditions.push(`#status IN (${transition.from.map((_, i) => `:from${i}`).join(', ')})`);
        transition.from.forEach((status, i) => {
          values[`:from${i}`] = status;
        });
      }
    }
    if (!sets.length && !removes.length) return this.get(requestId);
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: requestKey(requestId),
          UpdateExpression: [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : '']
            .join(' ')
            .trim(),
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: Object.keys(values).length ? values : undefined,
          ReturnValues: 'ALL_NEW',
        }),
      );
      const request = requestOf(Attributes)!;
      if (transition && FINAL_STATUSES.includes(transition.status)) {
        await this.client.send(new DeleteCommand({ TableName: this.table, Key: { pk: OPEN_INDEX, sk: requestId } }));
      }
      return request;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async open(): Promise<PrivacyRequest[]> {
    const index = await queryAll(this.client, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': OPEN_INDEX },
    });
    const requests = await Promise.all(index.map((item) => this.get(String(item.requestId))));
    return requests
      .filter((r): r is PrivacyRequest => Boolean(r) && !FINAL_STATUSES.includes(r!.status))
      .sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  }

  async intakeOutcome(messageId: string): Promise<string | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.table, Key: ITEMS.intake.key({ messageId }), ConsistentRead: true }),
    );
    return Item?.outcome as string | undefined;
  }

  async recordUnclear(mail: UnclearMail): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          // Listed under its sender, so the sender's export and erasure find it.
          Item: {
            ...ITEMS.unclearMail.key({ ticketId: mail.ticketId }),
            gsi1pk: ITEMS.unclearMail.gsi1pk({ email: mail.from }),
            gsi1sk: mail.receivedAt,
            ...mail,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return;
      throw error;
    }
    await this.client.send(
      new PutCommand({ TableName: this.table, Item: { pk: OPEN_UNCLEAR_INDEX, sk: mail.ticketId, ticketId: mail.ticketId } }),
    );
  }

  async getUnclear(ticketId: string): Promise<UnclearMail | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.table, Key: ITEMS.unclearMail.key({ ticketId }), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, expiresAt: _ttl, ...mail } = Item;
    return mail as UnclearMail;
  }

  async openUnclear(): Promise<UnclearMail[]> {
    const index = await queryAll(this.client, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': OPEN_UNCLEAR_INDEX },
    });
    const mails = await Promise.all(index.map((item) => this.getUnclear(String(item.ticketId))));
    return mails.filter((m): m is UnclearMail => m?.status === 'open').sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  }

  async closeUnclear(ticketId: string, status: 'classified' | 'dismissed', outcome: NonNullable<UnclearMail['outcome']>): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: ITEMS.unclearMail.key({ ticketId }),
          UpdateExpression: 'SET #status = :status, outcome = :outcome, expiresAt = :expires',
          ConditionExpression: '#status = :open',
          ExpressionAttributeNames: { '#status': 'status' },
          // Decided: kept as long as intake records, the request it became keeps the rest.
          ExpressionAttributeValues: {
            ':status': status,
            ':outcome': outcome,
            ':open': 'open',
            ':expires': Math.floor(Date.parse(outcome.at) / 1000) + INTAKE_TTL_SECONDS,
          },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
    await this.client.send(new DeleteCommand({ TableName: this.table, Key: { pk: OPEN_UNCLEAR_INDEX, sk: ticketId } }));
    return true;
  }

  async claimReply(messageId: string, at: Date): Promise<boolean> {
    return this.claimed(
      new UpdateCommand({
        TableName: this.table,
        Key: ITEMS.intake.key({ messageId }),
        UpdateExpression: 'SET repliedAt = :at, expiresAt = if_not_exists(expiresAt, :expires)',
        ConditionExpression: 'attribute_not_exists(repliedAt)',
        ExpressionAttributeValues: { ':at': at.toISOString(), ':expires': Math.floor(at.getTime() / 1000) + INTAKE_TTL_SECONDS },
      }),
    );
  }

  /** Whether a conditional claim was taken: false when its condition found it taken before. */
  private async claimed(command: UpdateCommand): Promise<boolean> {
    try {
      await this.client.send(command);
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async claimMail(requestId: string, kind: ClosingMail, at: Date): Promise<boolean> {
    return this.claimed(
      new UpdateCommand({
        TableName: this.table,
        Key: ITEMS.privacyRequest.key({ requestId }),
        UpdateExpression: 'SET #claim = :at',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#claim)',
        ExpressionAttributeNames: { '#claim': mailClaim(kind) },
        ExpressionAttributeValues: { ':at': at.toISOString() },
      }),
    );
  }

  async addJoinedLanguage(requestId: string, language: string): Promise<void> {
    // Appended under the condition that it is not there yet (a list, not a string set: the request is exported as JSON):
    // letters joining at once each append in turn, and a redelivered one is refused by the condition.
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: ITEMS.privacyRequest.key({ requestId }),
          UpdateExpression: 'SET joinedLanguages = list_append(if_not_exists(joinedLanguages, :none), :language)',
          ConditionExpression: 'attribute_exists(pk) AND NOT contains(joinedLanguages, :one)',
          ExpressionAttributeValues: { ':none': [], ':language': [language], ':one': language },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async releaseMail(requestId: string, kind: ClosingMail): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: ITEMS.privacyRequest.key({ requestId }),
        UpdateExpression: 'REMOVE #claim',
        ExpressionAttributeNames: { '#claim': mailClaim(kind) },
      }),
    );
  }

  async releaseReply(messageId: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({ TableName: this.table, Key: ITEMS.intake.key({ messageId }), UpdateExpression: 'REMOVE repliedAt' }),
    );
  }

  /** Beside the reply's claim, which it keeps. */
  async recordIntake(messageId: string, outcome: string, at: Date, rights: string[]): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.table,
        Key: ITEMS.intake.key({ messageId }),
        UpdateExpression: 'SET outcome = :outcome, rights = :rights, #at = :at, expiresAt = :expires',
        ExpressionAttributeNames: { '#at': 'at' },
        ExpressionAttributeValues: {
          ':outcome': outcome,
          ':rights': rights,
          ':at': at.toISOString(),
          ':expires': Math.floor(at.getTime() / 1000) + INTAKE_TTL_SECONDS,
        },
      }),
    );
  }
}
