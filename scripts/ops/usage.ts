import { DynamoDbUsageStore } from '../../lambdas/metering/adapters/dynamodb-usage-store';
import { shortenUsageLogRetention } from '../../lambdas/shared/adapters/dynamodb-usage-logs';
import { Command, progress, stageOption, UsageError, withResources } from './program';
import { recordOps } from './audit';
import type { Resources } from './resources';

/**
 * Brings the stored logs under a shorter retention — after counting the days of lone calls still waiting
 * for their week's end (the sweep's week lists) into their rollups: their items are their only record,
 * and the shorter expiry could remove them first.
 */
export async function applyUsageLogRetention(
  resources: Pick<Resources, 'dynamo' | 'tables'>,
  days: number,
  now: number = Date.now(),
  onProgress?: (seen: number, shortened: number) => void,
): Promise<{ seen: number; shortened: number }> {
  await new DynamoDbUsageStore(resources.dynamo, resources.tables).finishWeekLists(now);
  return shortenUsageLogRetention(resources.dynamo, resources.tables.usageLogs, days, { onProgress });
}

const retention = new Command('retention')
  .description(
    "Applies a shorter usage-log retention to logs already stored: each item's expiry becomes its newest call + <days>. Set the stage's usageLogRetentionDays to the same value and deploy first, so new calls follow it too",
  )
  .requiredOption('--days <days>', 'the new retention in days (the stage setting usageLogRetentionDays)')
  .addOption(stageOption())
  .action(async (options: { days: string; stage: 'local' | 'dev' | 'prod' }) => {
    const days = Number(options.days);
    if (!Number.isInteger(days) || days < 1 || days > 3650) throw new UsageError('--days must be a whole number from 1 to 3650');
    await withResources(options.stage, async (resources) => {
      const report = progress('items checked');
      const { seen, shortened } = await applyUsageLogRetention(resources, days, Date.now(), (checked) => report(checked));
      await recordOps(resources, {
        action: 'usage.retention',
        targets: [{ type: 'table', id: 'usageLogs' }],
        change: { after: { days, shortened } },
      });
      console.log(
        `Checked ${seen} stored item(s); ${shortened} now expire ${days} days after their newest call (DynamoDB's TTL removes them).`,
      );
    });
  });

export const usage = new Command('usage').description('Usage logs across accounts').addCommand(retention);
