import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LocalTable } from '../../../local/assembly';
import { TtlSweeper } from '../../../local/ttl-sweeper';

const table: LocalTable = {
  logicalId: 'Logs',
  name: 'logs',
  definition: {
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ],
  },
  ttlAttribute: 'expiresAt',
};

describe('TtlSweeper', () => {
  it('starts each sweep an interval after the last one ended, so slow sweeps never overlap', async () => {
    let scanning = 0;
    let most = 0;
    let scans = 0;
    // A scan that takes ten intervals, as over many items on a busy machine.
    const client = {
      send: async () => {
        most = Math.max(most, ++scanning);
        scans++;
        await new Promise((r) => setTimeout(r, 100));
        scanning--;
        return { Items: [] };
      },
    } as unknown as DynamoDBDocumentClient;
    const sweeper = new TtlSweeper(client, [table]);
    sweeper.start(10, () => undefined);
    await new Promise((r) => setTimeout(r, 600));
    sweeper.stop();
    expect(most).toBe(1);
    expect(scans).toBeGreaterThanOrEqual(2);
    // Stopped: no sweep starts after, even one that was due.
    const after = scans;
    await new Promise((r) => setTimeout(r, 250));
    expect(scans).toBe(after);
  });
});
