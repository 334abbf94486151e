import { DynamoDbUsageStore, SweepFailed } from '../../../lambdas/metering/adapters/dynamodb-usage-store';
import { sweepMarkerItem } from '../../../lambdas/shared/adapters/dynamodb-usage-logs';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';
import { singlesCounted } from '../../helpers/singles-rollups';
import { usageEvent } from '../../helpers/usage-event';
import { recordAt, USAGE_TABLES } from '../../helpers/usage-worker';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const DAY = 86_400_000;

/**
 * A day's end with more listed accounts than one run of the sweep can count: each run stops taking
 * accounts when its time is up, keeps how far it got, and the next goes on from there — reading none
 * of the accounts finished before, skipping none, counting none twice.
 */
describe('the sweep under its time limit', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    // One call each in the day's last hour, recorded at once: nothing counts them until the sweep does.
    for (const [i, accountId] of accounts.entries())
      await recordAt(dynamo.client, [usageEvent(accountId, i, lastHour + 10 * MINUTE)], lastHour + 11 * MINUTE);
  });
  afterAll(() => dynamo.stop());

  const day = Math.floor(Date.now() / DAY) * DAY - 20 * DAY;
  const lastHour = day + 23 * HOUR;
  // The first run after the day's last hour closed (its end, plus the step lag, plus a few minutes).
  const run = lastHour + HOUR + 10 * MINUTE;
  const accounts = Array.from({ length: 40 }, (_, i) => `acc_limit_${String(i).padStart(2, '0')}`);
  /** The accounts in the order the sweep reads its lists: shard by shard, then by id. */
  const listOrder = [...accounts].sort((a, b) => {
    const [sa, sb] = [sweepMarkerItem('x', a).pk, sweepMarkerItem('x', b).pk];
    return sa.localeCompare(sb) || a.localeCompare(b);
  });
  const scan = async () => (await dynamo.scanAll()).usageAggregates;
  const counted = async (accountId: string) => singlesCounted(await scan(), accountId).reduce((sum, entry) => sum + entry.calls, 0);
  const cursor = async () => (await scan()).find((item) => item.pk === 'SWEEP#CURSOR');
  /** A time limit that lets a run take `n` accounts. */
  const takes = (n: number) => () => n-- > 0;
  /** A client that counts the days' rollups each account's count reads, and can fail one account's writes. */
  const watched = (failing?: string) => {
    const read: string[] = [];
    const client = {
      send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        const { input } = command;
        if (command.constructor.name === 'QueryCommand' && input.TableName === 'usageAggregates' && input.ConsistentRead) {
          read.push(String((input.ExpressionAttributeValues as Record<string, unknown>)[':pk']));
        }
        if (failing && command.constructor.name === 'PutCommand' && String((input.Item as { pk?: string }).pk).includes(failing))
          throw new Error('throttled');
        return dynamo.client.send(command as never);
      },
    } as unknown as typeof dynamo.client;
    return { store: new DynamoDbUsageStore(client, USAGE_TABLES), read };
  };

  it('goes on from the account it got to, past one that failed only after taking it again, and counts every account once', async () => {
    // Run 1 has time for 12 accounts, and the 8th's write fails: its mark stops before it.
    const first = watched(listOrder[7]);
    const stopped = first.store.sweep(run, run - 30 * MINUTE, takes(12));
    await expect(stopped).rejects.toBeInstanceOf(SweepFailed);
    expect(first.read).toHaveLength(12);
    const mark = await cursor();
    expect(mark).toMatchObject({ hour: lastHour });
    expect(mark?.through).toBeUndefined();
    for (const accountId of listOrder.slice(0, 12)) expect(await counted(accountId)).toBe(accountId === listOrder[7] ? 0 : 1);
    for (const accountId of listOrder.slice(12)) expect(await counted(accountId)).toBe(0);

    // Run 2 has time for 15: from the failed account on — it reads none of the seven finished before it.
    const second = watched();
    const result = await second.store.sweep(run + 15 * MINUTE, run - 30 * MINUTE, takes(15));
    expect(result).toMatchObject({ hours: 0, stoppedAt: { hour: lastHour } });
    expect(second.read.sort()).toEqual(
      listOrder
        .slice(7, 22)
        .map((accountId) => `ACCOUNT#${accountId}#H`)
        .sort(),
    );
    expect((await cursor())?.through).toBeUndefined();

    // Run 3 has all the time it needs: it finishes the hour, moves the cursor past it, and drops the mark.
    const third = watched();
    expect(await third.store.sweep(run + 30 * MINUTE, run - 30 * MINUTE)).toMatchObject({ hours: 1, accounts: 18 });
    expect(third.read.sort()).toEqual(
      listOrder
        .slice(22)
        .map((accountId) => `ACCOUNT#${accountId}#H`)
        .sort(),
    );
    expect(await cursor()).toEqual({ pk: 'SWEEP#CURSOR', sk: 'CURSOR', through: run + 30 * MINUTE });
    for (const accountId of accounts) expect(await counted(accountId)).toBe(1);
    // And the day of each is finished: a run after reads nothing of it again.
    const fourth = watched();
    expect(await fourth.store.sweep(run + 45 * MINUTE, 0)).toMatchObject({ hours: 0 });
    expect(fourth.read).toEqual([]);
  });
});
