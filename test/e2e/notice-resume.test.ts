import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { eventually, freshDataDir, type LocalProcess, localAws, SETUP_TIMEOUT_MS, startLocalProcess } from '../helpers/local-process';
import { ops } from '../helpers/ops';

const RECIPIENTS = 60;

/** Every address the outbox holds a message for, with how many. */
function mailedCounts(dataDir: string, subject: string): Map<string, number> {
  const dir = path.join(dataDir, 'outbox');
  const counts = new Map<string, number>();
  for (const file of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    const raw = fs.readFileSync(path.join(dir, file), 'utf8');
    if (!raw.includes(subject)) continue;
    const to = /^X-Omnapi-Envelope-To: (.+)$/m.exec(raw)?.[1]?.trim() ?? '';
    counts.set(to, (counts.get(to) ?? 0) + 1);
  }
  return counts;
}

/** A notice send whose runtime is killed in the middle, restarted on the same data and resumed. */
describe('a notice job killed mid-send and resumed', () => {
  const dataDir = freshDataDir();
  // Slow sending (2 a second per sender) so the kill lands mid-send; visibility timeouts shrunk so the restart sees redeliveries soon.
  const env = { OMNAPI_CONTEXT: JSON.stringify({ notices: { sendsPerSecond: 4 } }), LOCAL_TIME_SCALE: '0.05' };
  let local: LocalProcess | undefined;
  afterAll(async () => {
    await local?.stop();
  });

  it(
    'sends each recipient at most once, and every recipient is handled: sent, or reported unconfirmed',
    async () => {
      local = await startLocalProcess({ dataDir, env });
      const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(localAws(local).dynamodb));
      const run = Date.now().toString(36);
      const items = Array.from({ length: RECIPIENTS }, (_, i) => {
        const id = `acc_${randomBytes(12).toString('hex')}`;
        return {
          pk: `ACCOUNT#${id}`,
          sk: 'PROFILE',
          accountId: id,
          email: `r${i}-${run}@example.org`,
          name: `R${i}`,
          profile: {},
          emailVerified: true,
          plan: 'free',
          preferences: { productUpdates: false, analytics: true },
        };
      });
      for (let i = 0; i < items.length; i += 25)
        await dynamo.send(
          new BatchWriteCommand({ RequestItems: { accounts: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }),
        );
      dynamo.destroy();
      const subject = `Deprecation ${run}`;
      const file = path.join(dataDir, 'notice.txt');
      fs.writeFileSync(file, 'v1 ends in June.');

      const sent = await ops(local, 'notice', 'send', '--topic', 'deprecation', '--subject', subject, '--body-file', file);
      expect(sent.code).toBe(0);
      const noticeId = /Notice (ntc_[0-9a-f]{24})/.exec(sent.stdout)![1]!;
      // Killed once some, not all, went out.
      await eventually(() => expect(mailedCounts(dataDir, subject).size).toBeGreaterThanOrEqual(5), 60_000, 200);
      await local.kill();
      const before = mailedCounts(dataDir, subject).size;
      expect(before).toBeLessThan(RECIPIENTS);

      local = await startLocalProcess({ dataDir, env });
      const resumed = await ops(local, 'notice', 'resume', noticeId);
      expect(resumed.code).toBe(0);
      const status = await ops(local, 'notice', 'status', noticeId, '--wait');
      expect(status.code).toBe(0);
      const counts = /(\d+) sent, (\d+) skipped at send time, (\d+) unconfirmed, 0 waiting/.exec(status.stdout);
      expect(counts).not.toBeNull();
      const [sentCount, skipped, unconfirmed] = counts!.slice(1).map(Number) as [number, number, number];

      const mailed = mailedCounts(dataDir, subject);
      expect([...mailed.values()].filter((n) => n !== 1)).toEqual([]);
      expect(skipped).toBe(0);
      // A sender killed between its claim and SES's answer leaves that recipient unconfirmed, never mailed twice:
      // SES may have taken the message before the kill (mailed, unconfirmed) or not (neither).
      expect(sentCount + unconfirmed).toBe(RECIPIENTS);
      expect(unconfirmed).toBeLessThanOrEqual(2);
      expect(mailed.size).toBeGreaterThanOrEqual(sentCount);
      expect(mailed.size).toBeLessThanOrEqual(sentCount + unconfirmed);
    },
    SETUP_TIMEOUT_MS * 2 + 180_000,
  );
});
