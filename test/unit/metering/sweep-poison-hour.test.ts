import { DynamoDbUsageStore, STEP_LAG_MS } from '../../../lambdas/metering/adapters/dynamodb-usage-store';
import type { UsageEvent } from '../../../lambdas/metering/domain/model';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';
import { recordAt, USAGE_TABLES } from '../../helpers/usage-worker';
import { singlesCounted } from '../../helpers/singles-rollups';
import { usageEvent } from '../../helpers/usage-event';

const HOUR = 3_600_000;
const MINUTE = 60_000;

const event = (accountId: string, i: number, at: number, product = 'echo') => usageEvent(accountId, i, at, 1, product);

describe('the sweep cursor and an account-hour that keeps failing', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(() => dynamo.stop());
  const tables = USAGE_TABLES;
  const record = (calls: UsageEvent[], clock: number) => recordAt(dynamo.client, calls, clock, { tallyEvery: 1_000_000 });
  const scan = async () => (await dynamo.scanAll()).usageAggregates;
  const countedByHour = async (accountId: string) => {
    const byHour = new Map<string, number>();
    for (const item of singlesCounted(await scan(), accountId)) byHour.set(item.bucket, (byHour.get(item.bucket) ?? 0) + item.calls);
    return byHour;
  };
  const day = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 40 * 86_400_000;

  it('one account-hour whose count keeps failing holds back no other account or hour for long (blast radius of a poisoned hour)', async () => {
    // The day's last two hours: quiet accounts' hours are finished at the day's end.
    const h1 = day + 22 * HOUR;
    await record([event('acc_poison', 0, h1 + 10 * MINUTE)], h1 + 11 * MINUTE);
    await record([event('acc_fine', 0, h1 + HOUR + 10 * MINUTE)], h1 + HOUR + 11 * MINUTE);
    // The poisoned account's calls cannot be read (say, an item the code cannot parse): its tally throws every time.
    const poisoned = new DynamoDbUsageStore(
      {
        send: async (command: {
          constructor: { name: string };
          input: { ConsistentRead?: boolean; ExpressionAttributeValues?: Record<string, unknown> };
        }) => {
          if (
            command.constructor.name === 'QueryCommand' &&
            command.input.ConsistentRead &&
            String(command.input.ExpressionAttributeValues?.[':pk']).includes('acc_poison')
          )
            throw new Error('cannot read');
          return dynamo.client.send(command as never);
        },
      } as unknown as typeof dynamo.client,
      tables,
    );
    // Runs every 15 minutes for six hours after the poisoned hour closed.
    const first = h1 + HOUR + STEP_LAG_MS + MINUTE;
    await poisoned.sweep(first, first - 30 * MINUTE).catch(() => undefined);
    for (let run = first + 15 * MINUTE; run <= first + 6 * HOUR; run += 15 * MINUTE) await poisoned.sweep(run, 0).catch(() => undefined);
    // The other account's hour (closed five hours before) is finished.
    expect((await countedByHour('acc_fine')).get(new Date(h1 + HOUR).toISOString().replace('.000Z', 'Z'))).toBe(1);
  });
});
