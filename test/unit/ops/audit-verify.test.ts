import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbAuditTrail } from '../../../lambdas/shared/adapters/dynamodb-audit';
import { type AuditEvent, hashOf, streamEvents, verifyChain } from '../../../lambdas/shared/audit';
import { HmacPseudonymiser } from '../../../lambdas/shared/pseudonyms';
import { verifyStream } from '../../../scripts/ops/audit';
import { eraserOn, TEST_PSEUDONYM_KEYS } from '../../helpers/eraser';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';

/** `audit verify` while an erasure moves an account's stream under its pseudonym, against DynamoDB's protocol. */
describe('audit verify during an erasure', () => {
  let dynamo: LocalDynamo;
  let trail: DynamoDbAuditTrail;
  const pseudonymiser = new HmacPseudonymiser(async () => TEST_PSEUDONYM_KEYS);
  const pseudonymsOf = (accountId: string) => pseudonymiser.every('account', accountId);
  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    trail = new DynamoDbAuditTrail(dynamo.client, 'auditEvents', 30);
  });
  afterAll(() => dynamo.stop());

  const all = async (stream: string) => {
    const events: AuditEvent[] = [];
    for await (const event of streamEvents(trail, stream)) events.push(event);
    return events;
  };
  /** An account with `count` recent events (each written with the retention that keeps its predecessor). */
  const accountWith = async (accountId: string, count: number) => {
    for (let i = 0; i < count; i++)
      await trail.record({
        actor: { type: 'account', id: accountId, via: 'session:s1' },
        action: 'key.create',
        targets: [{ type: 'account', id: accountId }],
        context: { ip: '203.0.113.9', userAgent: 'agent', requestId: `req-${i}` },
        at: new Date().toISOString(),
      });
    return { accountId, email: `${accountId}@example.org`, emailSince: '2026-01-01T00:00:00Z' };
  };

  it('reports a stream whose oldest events an erasure has moved as moving, not truncated, and exits clean', async () => {
    const subject = await accountWith('acc_moving', 5);
    // One page of two events moved, as one workflow step does before the next.
    await eraserOn(dynamo).erasePage('auditEvents', subject, 2);

    const report = await verifyStream(trail, 'account#acc_moving', pseudonymsOf);

    const [pseudonym] = await pseudonymsOf('acc_moving');
    expect(report).toEqual({ checked: 3, moving: { to: `pseudonym#${pseudonym}`, movedThrough: 2 } });
    // Without the moved stream the same events read as deleted: what the verifier said before.
    expect(verifyChain(await all('account#acc_moving')).firstBreak).toMatchObject({ seq: 3, problem: 'truncated' });
    // The moved part verifies on its own, and names no one.
    const moved = await all(`pseudonym#${pseudonym}`);
    expect(verifyChain(moved)).toEqual({ checked: 2 });
    expect(JSON.stringify(moved)).not.toContain('acc_moving');
  });

  it('reads a page moved but whose originals were not yet deleted (a step that failed between the two) as moving', async () => {
    const subject = await accountWith('acc_halfway', 4);
    await eraserOn(dynamo).erasePage('auditEvents', subject, 2);
    const [pseudonym] = await pseudonymsOf('acc_halfway');
    // The copy of event 3 is written; the original is still there.
    const original = (await all('account#acc_halfway'))[0]!;
    const { hash: _hash, ...rest } = original;
    const previous = (await all(`pseudonym#${pseudonym}`)).at(-1)!;
    const copy = { ...rest, stream: `pseudonym#${pseudonym}`, prevHash: previous.hash, movedFromHash: original.hash, context: undefined };
    await dynamo.client.send(
      new PutCommand({
        TableName: 'auditEvents',
        Item: { pk: `STREAM#pseudonym#${pseudonym}`, sk: 'E#000000000003', ...copy, hash: hashOf(copy) },
      }),
    );

    expect(await verifyStream(trail, 'account#acc_halfway', pseudonymsOf)).toMatchObject({ moving: { movedThrough: 2 } });
  });

  it('still reports events deleted by hand as truncated, even while a move is under way', async () => {
    const subject = await accountWith('acc_cut', 6);
    await eraserOn(dynamo).erasePage('auditEvents', subject, 2);
    // Someone deletes event 3 too: the account's first event (4) names an original no copy was made from.
    await dynamo.client.send(new DeleteCommand({ TableName: 'auditEvents', Key: { pk: 'STREAM#account#acc_cut', sk: 'E#000000000003' } }));

    expect(await verifyStream(trail, 'account#acc_cut', pseudonymsOf)).toMatchObject({
      checked: 0,
      firstBreak: { seq: 4, problem: 'truncated' },
    });
  });

  it('does not take an altered moved stream as proof of a move', async () => {
    const subject = await accountWith('acc_forged', 4);
    await eraserOn(dynamo).erasePage('auditEvents', subject, 2);
    const [pseudonym] = await pseudonymsOf('acc_forged');
    const { Items } = await dynamo.client.send(
      new QueryCommand({
        TableName: 'auditEvents',
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `STREAM#pseudonym#${pseudonym}` },
      }),
    );
    await dynamo.client.send(new PutCommand({ TableName: 'auditEvents', Item: { ...Items![0]!, action: 'plan.set' } }));

    expect(await verifyStream(trail, 'account#acc_forged', pseudonymsOf)).toMatchObject({ firstBreak: { problem: 'truncated' } });
  });

  it('says nothing of a move for an intact stream, and a finished move leaves the moved stream whole', async () => {
    const subject = await accountWith('acc_done', 3);
    expect(await verifyStream(trail, 'account#acc_done', pseudonymsOf)).toEqual({ checked: 3 });
    let step: { remaining: boolean };
    do step = await eraserOn(dynamo).erasePage('auditEvents', subject, 2);
    while (step.remaining);

    const [pseudonym] = await pseudonymsOf('acc_done');
    expect(await all('account#acc_done')).toEqual([]);
    expect(await verifyStream(trail, `pseudonym#${pseudonym}`, pseudonymsOf)).toEqual({ checked: 3 });
  });
});
