import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import { DynamoDbLedger } from '../../../lambdas/billing/adapters/dynamodb-ledger';
import { DynamoDbParkedReversals } from '../../../lambdas/billing/adapters/dynamodb-parked-reversals';
import { checkPurchases } from '../../../lambdas/billing/domain/settlement';
import { DEFAULT_PACKS } from '../../../lambdas/billing/packs';
import { DynamoDbMeter } from '../../../lambdas/metering/adapters/dynamodb-meter';
import type { LambdaHttpHandler } from '../../../lambdas/shared/middleware/http-stack';
import {
  type Buyer,
  chargeRefunded,
  checkoutCompleted,
  dispute,
  newDisputeId,
  newRefundId,
  refundObject,
  sign,
} from '../../../scripts/ops/stripe-fixtures';
import { httpEvent, lambdaContext } from '../../helpers/http-events';
import { type LocalDynamo, startLocalDynamo } from '../../helpers/local-dynamo';
import { stripeWebhookEnv } from '../../helpers/stripe-webhook-env';

const SECRET = 'whsec_test_unit_secret';
const starter = DEFAULT_PACKS.starter!;
const ses = mockClient(SESv2Client);

describe('POST /v1/webhooks/stripe', () => {
  let dynamo: LocalDynamo;
  let handler: LambdaHttpHandler;
  let ledger: DynamoDbLedger;
  let n = 0;

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    Object.assign(process.env, stripeWebhookEnv(dynamo.endpoint, SECRET));
    handler = require('../../../lambdas/billing/handlers/stripe-webhook').handler;
    ledger = new DynamoDbLedger(dynamo.client, 'ledger');
  });
  afterAll(async () => {
    delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
    await dynamo.stop();
  });
  beforeEach(() => {
    ses.reset();
    ses.on(SendEmailCommand).resolves({ MessageId: 'm' });
  });

  /** The mails sent to a buyer, in order. */
  const mailsTo = (b: Buyer) =>
    Promise.all(
      ses
        .commandCalls(SendEmailCommand)
        .map((c) => c.args[0].input)
        .filter((input) => input.Destination!.ToAddresses!.includes(b.email))
        .map(async (input) => {
          const mail = await simpleParser(Buffer.from(input.Content!.Raw!.Data!));
          return { subject: mail.subject!, text: mail.text! };
        }),
    );

  /** A fresh account, as the accounts context stores it. */
  async function buyer(): Promise<Buyer> {
    const accountId = `acc_${String(++n).padStart(24, '0')}`;
    const account = { accountId, email: `buyer${n}@example.org`, name: `Buyer ${n}`, customerId: `cus_test_${n}` };
    await dynamo.client.send(
      new PutCommand({
        TableName: 'accounts',
        Item: {
          pk: `ACCOUNT#${accountId}`,
          sk: 'PROFILE',
          accountId,
          email: account.email,
          name: account.name,
          stripeCustomerId: account.customerId,
          preferences: { analytics: true, productUpdates: false },
        },
      }),
    );
    return account;
  }

  const deliver = (
    event: object,
    options: {
      secret?: string;
      timestamp?: number;
      signature?: string | null;
      signatureOf?: (payload: string) => string;
      tamper?: (body: string) => string;
      base64?: boolean;
    } = {},
  ) => {
    const payload = JSON.stringify(event);
    const signature =
      options.signature === null
        ? undefined
        : (options.signature ?? options.signatureOf?.(payload) ?? sign(payload, options.secret ?? SECRET, options.timestamp));
    const body = options.tamper ? options.tamper(payload) : payload;
    return handler(
      {
        ...httpEvent({
          method: 'POST',
          path: '/v1/webhooks/stripe',
          headers: { 'content-type': 'application/json', ...(signature ? { 'stripe-signature': signature } : {}) },
        }),
        routeKey: 'POST /v1/webhooks/stripe',
        body: options.base64 ? Buffer.from(body).toString('base64') : body,
        isBase64Encoded: options.base64 ?? false,
      },
      lambdaContext,
    );
  };
  const outcomeOf = async (response: Promise<{ statusCode: number; body?: string }>) => {
    const r = await response;
    return { status: r.statusCode, ...JSON.parse(r.body!) };
  };
  const balance = (b: Buyer) => ledger.balance(b.accountId);
  /** Refunds and disputes parked for a payment, wherever they are kept. */
  const parkedFor = async (paymentIntentId: string) => {
    const { webhookEvents, ledger: ledgerItems } = await dynamo.scanAll();
    return [...webhookEvents, ...ledgerItems].filter(
      (item) => item.pk === `PAYMENT#${paymentIntentId}` && String(item.sk).startsWith('PENDING#'),
    );
  };
  const payment = (event: ReturnType<typeof checkoutCompleted>) => ({
    paymentIntentId: String(event.data.object.payment_intent),
    amountMinor: starter.priceMinor,
    currency: starter.currency,
  });

  it('credits a paid checkout once, however often and however concurrently Stripe delivers it', async () => {
    const b = await buyer();
    const event = checkoutCompleted(b, 'starter', starter);
    // Five at once before any is recorded as handled: the ledger's own guard keeps it to one credit.
    const concurrent = await Promise.all(Array.from({ length: 5 }, () => outcomeOf(deliver(event))));
    expect(concurrent.every((r) => r.status === 200)).toBe(true);
    expect(concurrent.filter((r) => r.outcome === 'credited')).toHaveLength(1);
    for (let i = 0; i < 5; i++) expect((await outcomeOf(deliver(event))).outcome).toBe('duplicate');
    expect(await balance(b)).toBe(1_000_000_000);
    const entries = await ledger.all(b.accountId);
    expect(entries.filter((e) => e.type === 'purchase')).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      type: 'purchase',
      amountMicro: 1_000_000_000,
      pack: 'starter',
      stripe: { paymentIntentId: payment(event).paymentIntentId, amountMinor: 1000, currency: 'usd' },
    });
    // One receipt, to the account's address.
    const receipts = ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input.Destination!.ToAddresses);
    expect(receipts).toEqual([[b.email]]);
  });

  it('sends the receipt once when mail fails at first: Stripe is asked to retry (503), and the retry sends it', async () => {
    const b = await buyer();
    const event = checkoutCompleted(b, 'starter', starter);
    ses.reset();
    ses
      .on(SendEmailCommand)
      .rejectsOnce(Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'TooManyRequestsException' }))
      .resolves({ MessageId: 'm' });
    const first = await outcomeOf(deliver(event));
    expect(first).toMatchObject({ status: 503, error: { code: 'notice_unavailable' } });
    // The credits are in at once; only the receipt waits for the retry.
    expect(await balance(b)).toBe(1_000_000_000);
    expect((await outcomeOf(deliver(event))).outcome).toBe('already_credited');
    expect((await outcomeOf(deliver(event))).outcome).toBe('duplicate');
    expect(await balance(b)).toBe(1_000_000_000);
    // Two attempts at SES: the first refused, the retry's delivered; the redelivery after it sent none.
    expect((await mailsTo(b)).map((m) => m.subject)).toEqual([`Receipt: ${starter.name}`, `Receipt: ${starter.name}`]);
    expect(await ses.commandCalls(SendEmailCommand)[0]!.returnValue.catch((e: Error) => e.name)).toBe('TooManyRequestsException');
    expect((await dynamo.scanAll()).securityEvents.filter((e) => e.accountId === b.accountId).map((e) => e.type)).toEqual([
      'purchase_credited',
    ]);
  });

  it('sends the receipt though a concurrent redelivery found it being sent and that send then failed', async () => {
    const b = await buyer();
    const event = checkoutCompleted(b, 'starter', starter);
    let fail: (error: Error) => void = () => undefined;
    ses.reset();
    ses
      .on(SendEmailCommand)
      .callsFakeOnce(() => new Promise((_resolve, reject) => (fail = reject)))
      .resolves({ MessageId: 'm' });
    // The first delivery claims the receipt and waits on SES; Stripe, timing it out, delivers again meanwhile.
    const first = outcomeOf(deliver(event));
    while (ses.commandCalls(SendEmailCommand).length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const second = outcomeOf(deliver(event));
    await new Promise((resolve) => setTimeout(resolve, 100));
    fail(Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'TooManyRequestsException' }));
    const answers = await Promise.all([first, second]);
    // Whatever each answered, Stripe retries what was not 2xx until it is.
    for (const answer of answers) if (answer.status !== 200) expect((await outcomeOf(deliver(event))).status).toBe(200);
    expect(await balance(b)).toBe(1_000_000_000);
    const delivered = ses.commandCalls(SendEmailCommand).slice(1);
    expect(delivered.map((c) => c.args[0].input.Destination!.ToAddresses)).toEqual([[b.email]]);
    expect((await ledger.purchaseOf(payment(event).paymentIntentId))?.receiptDue).toBeUndefined();
  });

  it('does not acknowledge a redelivery that found its fact applied by a delivery still sending the notice', async () => {
    const b = await buyer();
    const purchase = checkoutCompleted(b, 'starter', starter);
    await deliver(purchase);
    const opened = dispute('charge.dispute.created', payment(purchase), newDisputeId(), 'needs_response');
    const before = await ledger.purchaseOf(payment(purchase).paymentIntentId);
    let fail: (error: Error) => void = () => undefined;
    ses.reset();
    ses
      .on(SendEmailCommand)
      .callsFakeOnce(() => new Promise((_resolve, reject) => (fail = reject)))
      .resolves({ MessageId: 'm' });
    // The first delivery applies the dispute and waits on SES with its notice.
    const first = outcomeOf(deliver(opened));
    while (ses.commandCalls(SendEmailCommand).length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    // Stripe's second delivery of the event read the purchase before the first wrote to it.
    const { webhookWiring } = require('../../../lambdas/billing/wiring') as typeof import('../../../lambdas/billing/wiring');
    const { deps } = webhookWiring().events as unknown as { deps: { ledger: DynamoDbLedger } };
    const read = jest.spyOn(deps.ledger, 'purchaseOf').mockResolvedValueOnce(before);
    const second = outcomeOf(deliver(opened));
    await new Promise((resolve) => setTimeout(resolve, 100));
    fail(Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'TooManyRequestsException' }));
    const answers = await Promise.all([first, second]);
    read.mockRestore();
    for (const answer of answers) if (answer.status !== 200) expect((await outcomeOf(deliver(opened))).status).toBe(200);
    expect(await balance(b)).toBe(0);
    const delivered = ses.commandCalls(SendEmailCommand).slice(1);
    expect(delivered.map((c) => c.args[0].input.Destination!.ToAddresses)).toEqual([[b.email]]);
    expect((await ledger.purchaseOf(payment(purchase).paymentIntentId))?.noticesDue).toEqual({});
  });

  it("sends a parked dispute's notice on the purchase's retry, though the dispute's own delivery unparked it meanwhile", async () => {
    const b = await buyer();
    const purchase = checkoutCompleted(b, 'starter', starter);
    const opened = dispute('charge.dispute.created', payment(purchase), newDisputeId(), 'needs_response');
    expect((await outcomeOf(deliver(opened))).outcome).toBe('deferred_until_purchase');
    ses.reset();
    ses
      .on(SendEmailCommand)
      .resolvesOnce({ MessageId: 'receipt' })
      .rejectsOnce(Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'TooManyRequestsException' }))
      .resolves({ MessageId: 'm' });
    // The purchase applies the parked dispute; its notice cannot go out, so Stripe is asked to retry.
    expect(await outcomeOf(deliver(purchase))).toMatchObject({ status: 503, error: { code: 'notice_unavailable' } });
    expect(await balance(b)).toBe(0);
    // The dispute's delivery that raced the purchase (it parked, then found the purchase) unparks it, as it does.
    await new DynamoDbParkedReversals(dynamo.client, { webhookEvents: 'webhookEvents', ledger: 'ledger' }).remove(
      payment(purchase).paymentIntentId,
      opened.id,
    );
    expect((await outcomeOf(deliver(purchase))).status).toBe(200);
    expect((await mailsTo(b)).map((m) => m.subject)).toEqual([
      `Receipt: ${starter.name}`,
      `Your purchase of ${starter.name} is disputed`,
      `Your purchase of ${starter.name} is disputed`,
    ]);
    expect((await ledger.purchaseOf(payment(purchase).paymentIntentId))?.noticesDue).toEqual({});
  });

  it.each([
    ['a refund', 'refund', `Refund on your purchase of ${starter.name}`],
    ['a failed refund', 'refund-failed', `A refund on your purchase of ${starter.name} did not go through`],
    ['a dispute', 'dispute', `Your purchase of ${starter.name} is disputed`],
    ['a lost dispute', 'dispute-lost', `A payment dispute on ${starter.name} was decided against you`],
  ] as const)('sends the notice of %s once when mail fails at first: 503, and the redelivery sends it', async (_name, kind, subject) => {
    const b = await buyer();
    const purchase = checkoutCompleted(b, 'starter', starter);
    await deliver(purchase);
    const [refundId, disputeId] = [newRefundId(), newDisputeId()];
    if (kind === 'refund-failed') await deliver(refundObject('refund.created', payment(purchase), refundId, 500, 'succeeded'));
    if (kind === 'dispute-lost') await deliver(dispute('charge.dispute.created', payment(purchase), disputeId, 'needs_response'));
    const event = {
      refund: chargeRefunded(b, payment(purchase), 500),
      'refund-failed': refundObject('refund.failed', payment(purchase), refundId, 500, 'failed'),
      dispute: dispute('charge.dispute.created', payment(purchase), disputeId, 'needs_response'),
      'dispute-lost': dispute('charge.dispute.closed', payment(purchase), disputeId, 'lost'),
    }[kind];
    const balanceAfter = { refund: 500_000_000, 'refund-failed': 1_000_000_000, dispute: 0, 'dispute-lost': 0 }[kind];
    ses.reset();
    ses
      .on(SendEmailCommand)
      .rejectsOnce(Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'TooManyRequestsException' }))
      .resolves({ MessageId: 'm' });
    expect(await outcomeOf(deliver(event))).toMatchObject({ status: 503, error: { code: 'notice_unavailable' } });
    // The money moved at once; only the notice waits for Stripe's redelivery.
    expect(await balance(b)).toBe(balanceAfter);
    // Stripe's redelivery, three at once: the notice is claimed by one of them.
    expect((await Promise.all([1, 2, 3].map(() => outcomeOf(deliver(event))))).map((a) => a.status)).toEqual([200, 200, 200]);
    expect((await outcomeOf(deliver(event))).outcome).toBe('duplicate');
    // The same fact under a new event id (Stripe reports one fact in several events) sends nothing either.
    expect((await outcomeOf(deliver({ ...event, id: `${event.id}_again` }))).status).toBe(200);
    expect(await balance(b)).toBe(balanceAfter);
    // Two attempts at SES: the refused one and the redelivery's; nothing after it went out.
    expect((await mailsTo(b)).map((m) => m.subject)).toEqual([subject, subject]);
    expect(await ses.commandCalls(SendEmailCommand)[0]!.returnValue.catch((e: Error) => e.name)).toBe('TooManyRequestsException');
    expect((await ledger.purchaseOf(payment(purchase).paymentIntentId))?.noticesDue).toEqual({});
  });

  it.each([
    ['ProvisionedThroughputExceededException', {}],
    ['ThrottlingException', {}],
    ['RequestLimitExceeded', {}],
    ['TransactionConflictException', {}],
    ['TransactionCanceledException', { CancellationReasons: [{ Code: 'None' }, { Code: 'ThrottlingError' }, { Code: 'None' }] }],
  ])(
    'answers 503 with Retry-After, not 500, when DynamoDB throttles a purchase (%s), logs it at WARN with the event id, and the retry credits once',
    async (name, fields) => {
      const b = await buyer();
      const event = checkoutCompleted(b, 'starter', starter);
      const { dynamo: client } =
        require('../../../lambdas/shared/clients/dynamodb') as typeof import('../../../lambdas/shared/clients/dynamodb');
      const { logger } = require('../../../lambdas/shared/logger') as typeof import('../../../lambdas/shared/logger');
      const send = client.send.bind(client);
      // The SDK's retries are spent: the ledger's transaction comes back throttled, once.
      let throttled = false;
      const spy = jest.spyOn(client, 'send').mockImplementation(((command: { constructor: { name: string } }) => {
        if (!throttled && command.constructor.name === 'TransactWriteCommand') {
          throttled = true;
          return Promise.reject(Object.assign(new Error(`${name}: Throughput exceeds the current capacity`), { name, ...fields }));
        }
        return send(command as never);
      }) as never);
      const lines: string[] = [];
      const capture = (chunk: string | Uint8Array) => {
        lines.push(String(chunk));
        return true;
      };
      const writes = [
        jest.spyOn(process.stdout, 'write').mockImplementation(capture),
        jest.spyOn(process.stderr, 'write').mockImplementation(capture),
      ];
      // Warn lines printed, as a deployed function prints them (each warm invocation would reset the level).
      const level = jest.spyOn(logger, 'refreshSampleRateCalculation').mockImplementation(() => undefined);
      logger.setLogLevel('WARN');
      try {
        const response = await deliver(event);
        expect(response.statusCode).toBe(503);
        expect(response.headers?.['retry-after']).toMatch(/^\d+$/);
        expect(JSON.parse(response.body!)).toEqual({ error: { code: 'service_busy', message: expect.any(String) } });
      } finally {
        logger.setLogLevel('SILENT');
        level.mockRestore();
        for (const write of writes) write.mockRestore();
        spy.mockRestore();
      }
      const warned = lines.map((l) => JSON.parse(l)).filter((l) => l.level === 'WARN');
      expect(warned).toEqual([
        expect.objectContaining({ stripeEventId: event.id, code: 'service_busy', cause: expect.stringContaining(name) }),
      ]);
      expect(await balance(b)).toBe(0);
      expect((await outcomeOf(deliver(event))).outcome).toBe('credited');
      expect((await outcomeOf(deliver(event))).outcome).toBe('duplicate');
      expect(await balance(b)).toBe(1_000_000_000);
    },
  );

  it('turns the low-balance notice on at a tenth of the pack with the first purchase, unless the holder chose', async () => {
    const threshold = async (b: Buyer) =>
      (await dynamo.client.send(new GetCommand({ TableName: 'accounts', Key: { pk: `ACCOUNT#${b.accountId}`, sk: 'PROFILE' } }))).Item!
        .preferences.lowBalanceCredits;
    const fresh = await buyer();
    await deliver(checkoutCompleted(fresh, 'starter', starter));
    expect(await threshold(fresh)).toBe('100');
    expect((await mailsTo(fresh))[0]!.text).toContain(
      'We mail you once when your balance falls below 100 credits; change or turn that off in your settings: https://omnapi.test/settings',
    );
    const declined = await buyer();
    await dynamo.client.send(
      new UpdateCommand({
        TableName: 'accounts',
        Key: { pk: `ACCOUNT#${declined.accountId}`, sk: 'PROFILE' },
        UpdateExpression: 'SET preferences.lowBalanceCredits = :none',
        ExpressionAttributeValues: { ':none': null },
      }),
    );
    await deliver(checkoutCompleted(declined, 'growth', DEFAULT_PACKS.growth!));
    expect(await threshold(declined)).toBeNull();
    expect((await mailsTo(declined))[0]!.text).not.toContain('falls below');
  });

  it('credits a second delivery of the same purchase under a new event id only once (the session is the key)', async () => {
    const b = await buyer();
    const first = checkoutCompleted(b, 'starter', starter);
    const again = { ...first, id: `${first.id}_async`, type: 'checkout.session.async_payment_succeeded' };
    await deliver(first);
    expect((await outcomeOf(deliver(again))).outcome).toBe('already_credited');
    expect(await balance(b)).toBe(1_000_000_000);
  });

  it.each([
    ['a tampered body', { tamper: (body: string) => body.replace('"amount_total":1000', '"amount_total":1') }],
    ['the wrong secret', { secret: 'whsec_someone_else' }],
    ['a timestamp 10 minutes old', { timestamp: Math.floor(Date.now() / 1000) - 600 }],
    ['no signature header', { signature: null }],
    ['a malformed signature header', { signature: 't=abc,v1=zzz' }],
  ])('answers 400 with the JSON error and changes nothing for %s', async (_name, options) => {
    const b = await buyer();
    const response = await deliver(checkoutCompleted(b, 'starter', starter), options as never);
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body!)).toEqual({
      error: { code: 'invalid_signature', message: expect.stringMatching(/^Stripe signature check failed/) },
    });
    expect(await balance(b)).toBe(0);
    expect(await ledger.all(b.accountId)).toEqual([]);
  });

  it("warns when an event comes in another API version than the SDK's, and still applies it", async () => {
    const { logger } = require('../../../lambdas/shared/logger') as typeof import('../../../lambdas/shared/logger');
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    try {
      const b = await buyer();
      const pinned = checkoutCompleted(b, 'starter', starter);
      expect((await outcomeOf(deliver(pinned))).outcome).toBe('credited');
      expect(warn).not.toHaveBeenCalled();
      const older = { ...checkoutCompleted(b, 'starter', starter), api_version: '2020-08-27' };
      expect((await outcomeOf(deliver(older))).outcome).toBe('credited');
      expect(warn).toHaveBeenCalledWith(
        expect.stringMatching(/another API version/),
        expect.objectContaining({ eventId: older.id, apiVersion: '2020-08-27', pinned: pinned.api_version }),
      );
    } finally {
      warn.mockRestore();
    }
  });

  it('reads a base64-encoded body, as API Gateway sends binary content', async () => {
    const b = await buyer();
    expect((await outcomeOf(deliver(checkoutCompleted(b, 'starter', starter), { base64: true }))).outcome).toBe('credited');
  });

  it('answers 200 to event types it does not handle, and stores nothing', async () => {
    const before = (await dynamo.scanAll()).webhookEvents.length;
    expect(await outcomeOf(deliver({ id: 'evt_x', object: 'event', type: 'invoice.paid', data: { object: {} } }))).toEqual({
      status: 200,
      received: true,
      outcome: 'ignored',
    });
    expect((await dynamo.scanAll()).webhookEvents.length).toBe(before);
  });

  it.each([
    ['a different amount', { amountMinor: 1 }],
    ['a different currency', { currency: 'eur' }],
  ])('credits nothing when the checkout paid %s than the pack, and records a security event', async (_name, overrides) => {
    const b = await buyer();
    expect((await outcomeOf(deliver(checkoutCompleted(b, 'starter', starter, overrides)))).outcome).toBe('rejected_mismatch');
    expect(await balance(b)).toBe(0);
    const events = (await dynamo.scanAll()).securityEvents.filter((e) => e.accountId === b.accountId);
    expect(events.map((e) => e.type)).toEqual(['purchase_mismatch']);
  });

  it('does not credit an unpaid checkout, and credits it when the delayed payment succeeds', async () => {
    const b = await buyer();
    const pending = checkoutCompleted(b, 'starter', starter);
    (pending.data.object as Record<string, unknown>).payment_status = 'unpaid';
    expect((await outcomeOf(deliver(pending))).outcome).toBe('not_paid_yet');
    const succeeded = checkoutCompleted(b, 'starter', starter, {
      paymentIntentId: String(pending.data.object.payment_intent),
      sessionId: String(pending.data.object.id),
    });
    expect((await outcomeOf(deliver({ ...succeeded, type: 'checkout.session.async_payment_succeeded' }))).outcome).toBe('credited');
    expect(await balance(b)).toBe(1_000_000_000);
  });

  it('claws back the refunded share after part was spent: the balance may go negative, calls get 402, a purchase makes it usable', async () => {
    const b = await buyer();
    const purchase = checkoutCompleted(b, 'starter', starter);
    await deliver(purchase);
    // Spend 800 credits through the gateway's own admit write.
    const meter = new DynamoDbMeter(dynamo.client, 'ledger');
    for (let i = 0; i < 8; i++)
      expect((await meter.admit({ accountId: b.accountId, priceMicro: 100_000_000, limitPerMinute: 1000, now: new Date() })).admitted).toBe(
        true,
      );
    expect(await balance(b)).toBe(200_000_000);
    // Refund half: 500 credits clawed back, 200 were left.
    expect((await outcomeOf(deliver(chargeRefunded(b, payment(purchase), 500)))).outcome).toBe('reversed');
    expect(await balance(b)).toBe(-300_000_000);
    expect((await meter.admit({ accountId: b.accountId, priceMicro: 1, limitPerMinute: 1000, now: new Date() })).admitted).toBe(false);
    // The same refund again, and the full refund later: only the growth is clawed back.
    expect((await outcomeOf(deliver(chargeRefunded(b, payment(purchase), 500)))).outcome).toBe('nothing_to_reverse');
    await deliver(chargeRefunded(b, payment(purchase), 1000));
    expect(await balance(b)).toBe(-800_000_000);
    await deliver(checkoutCompleted(b, 'starter', starter));
    expect(await balance(b)).toBe(200_000_000);
    expect((await meter.admit({ accountId: b.accountId, priceMicro: 1, limitPerMinute: 1000, now: new Date() })).admitted).toBe(true);
    const types = (await ledger.all(b.accountId)).map((e) => [e.type, e.amountMicro]);
    expect(types).toEqual(
      expect.arrayContaining([
        ['purchase', 1_000_000_000],
        ['clawback', -500_000_000],
        ['clawback', -500_000_000],
      ]),
    );
    const refunds = (await mailsTo(b)).filter((m) => m.subject === `Refund on your purchase of ${starter.name}`);
    expect(refunds.map((m) => m.text.split('\n')[2])).toEqual([
      `5.00 USD of the 10.00 USD you paid for ${starter.name} was refunded, so 500 credits were taken back.`,
      `10.00 USD of the 10.00 USD you paid for ${starter.name} was refunded, so 500 credits were taken back.`,
    ]);
  });

  it('holds a disputed purchase and releases it exactly when the dispute is won', async () => {
    const b = await buyer();
    const purchase = checkoutCompleted(b, 'starter', starter);
    await deliver(purchase);
    const id = newDisputeId();
    expect(await outcomeOf(deliver(dispute('charge.dispute.created', payment(purchase), id, 'needs_response')))).toMatchObject({
      outcome: 'held',
    });
    expect(await balance(b)).toBe(0);
    await deliver(dispute('charge.dispute.created', payment(purchase), id, 'needs_response'));
    expect(await balance(b)).toBe(0);
    expect((await outcomeOf(deliver(dispute('charge.dispute.closed', payment(purchase), id, 'won')))).outcome).toBe('released');
    expect(await balance(b)).toBe(1_000_000_000);
    await deliver(dispute('charge.dispute.closed', payment(purchase), id, 'won'));
    expect(await balance(b)).toBe(1_000_000_000);
    // The buyer hears of each change once, redeliveries aside, with a console link and no API route.
    expect(await mailsTo(b)).toEqual([
      expect.objectContaining({ subject: `Receipt: ${starter.name}` }),
      expect.objectContaining({
        subject: `Your purchase of ${starter.name} is disputed`,
        text: expect.stringMatching(/1000 of its credits are held until the dispute is decided[\s\S]*Balance now: 0 credits/),
      }),
      expect.objectContaining({
        subject: `The dispute on your purchase of ${starter.name} is closed`,
        text: expect.stringMatching(/1000 held credits are yours to use again[\s\S]*Balance now: 1000 credits/),
      }),
    ]);
    expect((await mailsTo(b)).map((m) => m.text).join('\n')).not.toContain('/v1/');
    expect((await mailsTo(b))[2]!.text).toContain('https://omnapi.test/credits');
  });

  it('takes the held credits for good when a dispute is lost', async () => {
    const b = await buyer();
    const purchase = checkoutCompleted(b, 'starter', starter);
    await deliver(purchase);
    const id = newDisputeId();
    await deliver(dispute('charge.dispute.created', payment(purchase), id, 'needs_response'));
    expect((await outcomeOf(deliver(dispute('charge.dispute.closed', payment(purchase), id, 'lost')))).outcome).toBe('dispute_lost');
    expect(await balance(b)).toBe(0);
    expect(await ledger.purchaseOf(payment(purchase).paymentIntentId)).toMatchObject({
      clawedBackMicro: 1_000_000_000,
      heldMicro: 0,
      disputes: { [id]: { amountMinor: 1000, status: 'lost' } },
    });
    expect((await mailsTo(b)).at(-1)).toMatchObject({
      subject: `A payment dispute on ${starter.name} was decided against you`,
      text: expect.stringContaining('was lost, so 1000 of its credits are taken back for good'),
    });
  });

  it.each([
    ['dispute, full refund, dispute won', ['dispute', 'refund', 'won']],
    ['dispute, full refund, inquiry closed with a warning', ['dispute', 'refund', 'warning_closed']],
    ['full refund delivered after the dispute it preceded, then won', ['refund-late', 'dispute', 'won']],
    ['won delivered before the dispute opened, refund last', ['won', 'dispute', 'refund']],
  ])('keeps no credits for a fully refunded purchase: %s', async (_name, steps) => {
    const b = await buyer();
    const purchase = checkoutCompleted(b, 'starter', starter);
    await deliver(purchase);
    const id = newDisputeId();
    const refund = chargeRefunded(b, payment(purchase), 1000);
    for (const step of steps) {
      if (step === 'dispute') await deliver(dispute('charge.dispute.created', payment(purchase), id, 'needs_response'));
      if (step === 'refund' || step === 'refund-late') await deliver(refund);
      if (step === 'won') await deliver(dispute('charge.dispute.closed', payment(purchase), id, 'won'));
      if (step === 'warning_closed') await deliver(dispute('charge.dispute.closed', payment(purchase), id, 'warning_closed' as 'won'));
    }
    expect(await balance(b)).toBe(0);
    const entries = await ledger.all(b.accountId);
    expect(entries.reduce((sum, e) => sum + e.amountMicro, 0)).toBe(0);
  });

  it('gives every order of checkout, refunds and disputes the balance in-order delivery gives', async () => {
    const steps = ['checkout', 'refund300', 'refund1000', 'open', 'won', 'open2', 'lost2'] as const;
    const settle = async (order: readonly (typeof steps)[number][]) => {
      const b = await buyer();
      const purchase = checkoutCompleted(b, 'starter', starter);
      const [d1, d2] = [newDisputeId(), newDisputeId()];
      const half = { ...payment(purchase), amountMinor: 500 };
      for (const step of order) {
        if (step === 'checkout') await deliver(purchase);
        if (step === 'refund300') await deliver(chargeRefunded(b, payment(purchase), 300));
        if (step === 'refund1000') await deliver(chargeRefunded(b, payment(purchase), 1000));
        if (step === 'open') await deliver(dispute('charge.dispute.created', payment(purchase), d1, 'needs_response'));
        if (step === 'won') await deliver(dispute('charge.dispute.closed', payment(purchase), d1, 'won'));
        if (step === 'open2') await deliver(dispute('charge.dispute.created', half, d2, 'needs_response'));
        if (step === 'lost2') await deliver(dispute('charge.dispute.closed', half, d2, 'lost'));
      }
      return balance(b);
    };
    const inOrder = await settle(steps);
    expect(inOrder).toBe(0);
    await fc.assert(
      fc.asyncProperty(fc.shuffledSubarray([...steps], { minLength: steps.length, maxLength: steps.length }), async (order) => {
        expect({ order, balance: await settle(order) }).toEqual({ order, balance: inOrder });
      }),
      { numRuns: 12 },
    );
  });

  it('answers 2xx or 409, never 5xx, to ten concurrent cumulative refunds, and claws back exactly the largest', async () => {
    const b = await buyer();
    const purchase = checkoutCompleted(b, 'starter', starter);
    await deliver(purchase);
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => deliver(chargeRefunded(b, payment(purchase), (i + 1) * 100))));
    expect(responses.map((r) => r.statusCode).filter((s) => s !== 200 && s !== 409)).toEqual([]);
    // Stripe retries what got 409; a retry of each completes the picture.
    for (let i = 0; i < 10; i++) if (responses[i]!.statusCode === 409) await deliver(chargeRefunded(b, payment(purchase), (i + 1) * 100));
    expect(await balance(b)).toBe(0);
  });

  it('refuses an event signed with a timestamp more than five minutes ahead', async () => {
    const b = await buyer();
    const response = await deliver(checkoutCompleted(b, 'starter', starter), { timestamp: Math.floor(Date.now() / 1000) + 3600 });
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body!).error).toEqual({ code: 'invalid_signature', message: expect.stringMatching(/future/) });
    expect(await balance(b)).toBe(0);
  });

  it.each([
    // Stripe's own parser reads the last `t` with parseInt: each of these is a valid signature dated in the future.
    ['dated in milliseconds (13 digits)', (payload: string) => sign(payload, SECRET, Date.now())],
    [
      'with a second, future `t` after a current one',
      (payload: string) => `t=${Math.floor(Date.now() / 1000)},${sign(payload, SECRET, Math.floor(Date.now() / 1000) + 3600)}`,
    ],
    [
      'with a fraction after the seconds',
      (payload: string) => sign(payload, SECRET, Math.floor(Date.now() / 1000) + 3600).replace(/^t=(\d+)/, 't=$1.5'),
    ],
  ])('refuses a future-dated signature %s, as Stripe would read its date', async (_name, header) => {
    const b = await buyer();
    const response = await deliver(checkoutCompleted(b, 'starter', starter), { signatureOf: header });
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body!).error).toEqual({ code: 'invalid_signature', message: expect.stringMatching(/future/) });
    expect(await balance(b)).toBe(0);
  });

  it('ends in the same balance when a refund or a dispute arrives before its purchase', async () => {
    const inOrder = await buyer();
    const outOfOrder = await buyer();
    const lateDispute = await buyer();
    const p1 = checkoutCompleted(inOrder, 'starter', starter);
    await deliver(p1);
    await deliver(chargeRefunded(inOrder, payment(p1), 250));

    const p2 = checkoutCompleted(outOfOrder, 'starter', starter);
    expect((await outcomeOf(deliver(chargeRefunded(outOfOrder, payment(p2), 250)))).outcome).toBe('deferred_until_purchase');
    expect(await balance(outOfOrder)).toBe(0);
    await deliver(p2);
    expect(await balance(outOfOrder)).toBe(await balance(inOrder));
    expect(await balance(outOfOrder)).toBe(750_000_000);

    // A dispute opened and won before the purchase is seen: nothing is held, nothing released twice.
    const p3 = checkoutCompleted(lateDispute, 'starter', starter);
    const id = newDisputeId();
    await deliver(dispute('charge.dispute.created', payment(p3), id, 'needs_response'));
    await deliver(dispute('charge.dispute.closed', payment(p3), id, 'won'));
    await deliver(p3);
    expect(await balance(lateDispute)).toBe(1_000_000_000);
  });

  it('reads a refund or dispute in another currency than the payment as the whole payment, and tells ops', async () => {
    // 100 yen is not 100 cents: an amount that cannot be compared with what was paid must not leave credits for lost money.
    const mismatches = jest.spyOn(require('../../../lambdas/billing/adapters/powertools-metrics').billingMetrics, 'purchaseMismatch');
    const disputed = await buyer();
    const p1 = checkoutCompleted(disputed, 'starter', starter);
    await deliver(p1);
    const id = newDisputeId();
    await deliver(dispute('charge.dispute.created', { ...payment(p1), amountMinor: 100, currency: 'jpy' }, id, 'needs_response'));
    expect(await balance(disputed)).toBe(0);
    await deliver(dispute('charge.dispute.closed', { ...payment(p1), amountMinor: 100, currency: 'jpy' }, id, 'lost'));
    expect(await balance(disputed)).toBe(0);
    expect(await ledger.purchaseOf(payment(p1).paymentIntentId)).toMatchObject({ clawedBackMicro: 1_000_000_000, heldMicro: 0 });

    const refunded = await buyer();
    const p2 = checkoutCompleted(refunded, 'starter', starter);
    await deliver(p2);
    await deliver(chargeRefunded(refunded, { ...payment(p2), currency: 'eur' }, 300));
    expect(await balance(refunded)).toBe(0);
    // The same amounts in the payment's own currency are read as they are.
    const same = await buyer();
    const p3 = checkoutCompleted(same, 'starter', starter);
    await deliver(p3);
    await deliver(chargeRefunded(same, { ...payment(p3), currency: 'USD' }, 300));
    expect(await balance(same)).toBe(700_000_000);
    expect((await ledger.all(refunded.accountId)).at(-1)!.reason).toMatch(/reported in eur, so counted as the whole payment/);
    expect(mismatches).toHaveBeenCalledTimes(3);
    mismatches.mockRestore();
  });

  it('unlinks a deleted Stripe customer from its account', async () => {
    const b = await buyer();
    await deliver({
      id: 'evt_cd_1',
      object: 'event',
      type: 'customer.deleted',
      data: { object: { id: b.customerId, object: 'customer', deleted: true, metadata: { accountId: b.accountId } } },
    });
    const { Item } = await dynamo.client.send(
      new GetCommand({ TableName: 'accounts', Key: { pk: `ACCOUNT#${b.accountId}`, sk: 'PROFILE' } }),
    );
    expect(Item!.stripeCustomerId).toBeUndefined();
  });

  it('stores no card brand, last4, fingerprint or address anywhere, though the events carry them', async () => {
    const b = await buyer();
    const purchase = checkoutCompleted(b, 'starter', starter);
    await deliver(purchase);
    await deliver(chargeRefunded(b, payment(purchase), 100));
    await deliver(dispute('charge.dispute.created', payment(purchase), newDisputeId(), 'needs_response'));
    const stored = JSON.stringify(await dynamo.scanAll());
    for (const card of [
      'visa',
      '4242',
      'Xt5EWLLDS7FJjR1c',
      'Market Street',
      '94105',
      'San Francisco',
      '+14155550100',
      'fingerprint',
      'last4',
      'brand',
    ]) {
      // As a token of its own: random ids and timestamps may hold "4242" inside them.
      const found = new RegExp(`(^|[^A-Za-z0-9])${card.replace(/[+]/g, '\\+')}([^A-Za-z0-9]|$)`).test(stored);
      expect({ card, found }).toEqual({ card, found: false });
    }
  });

  it('never reverses more than a purchase credited, whatever the order of refunds and disputes', async () => {
    const orders = [
      ['refund', 'dispute', 'lost'],
      ['dispute', 'refund', 'lost'],
      ['dispute', 'lost', 'refund'],
    ];
    for (const order of orders) {
      const b = await buyer();
      const purchase = checkoutCompleted(b, 'starter', starter);
      await deliver(purchase);
      const id = newDisputeId();
      for (const step of order) {
        if (step === 'refund') await deliver(chargeRefunded(b, payment(purchase), 1000));
        if (step === 'dispute') await deliver(dispute('charge.dispute.created', payment(purchase), id, 'needs_response'));
        if (step === 'lost') await deliver(dispute('charge.dispute.closed', payment(purchase), id, 'lost'));
      }
      expect({ order, balance: await balance(b) }).toEqual({ order, balance: 0 });
    }
    // Two disputes and a refund at once: together they reverse the 1,000 credits, not more.
    const b = await buyer();
    const purchase = checkoutCompleted(b, 'starter', starter);
    await deliver(purchase);
    const partial = { ...payment(purchase), amountMinor: 800 };
    await Promise.all([
      deliver(dispute('charge.dispute.created', partial, newDisputeId(), 'needs_response')),
      deliver(dispute('charge.dispute.created', partial, newDisputeId(), 'needs_response')),
      deliver(chargeRefunded(b, payment(purchase), 600)),
    ]);
    expect(await balance(b)).toBe(0);
  });

  it.each([
    ['a signed body that is not JSON', 'not json at all'],
    ['a signed null', 'null'],
    ['a signed event without data', JSON.stringify({ id: 'evt_x', type: 'charge.refunded' })],
    ['a signed event whose object is null', JSON.stringify({ id: 'evt_y', type: 'charge.refunded', data: { object: null } })],
    ['a signed event with a 3 KB id', JSON.stringify({ id: `evt_${'x'.repeat(3000)}`, type: 'charge.refunded', data: { object: {} } })],
  ])('answers 400 invalid_payload, not 500, for %s', async (_name, body) => {
    const response = await handler(
      {
        ...httpEvent({ method: 'POST', path: '/v1/webhooks/stripe', headers: { 'stripe-signature': sign(body, SECRET) } }),
        routeKey: 'POST /v1/webhooks/stripe',
        body,
      },
      lambdaContext,
    );
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body!).error.code).toBe('invalid_payload');
  });

  it("ignores ids that could not be Stripe's (too long to be keys) inside a well-formed event", async () => {
    const b = await buyer();
    const event = checkoutCompleted(b, 'starter', starter, { paymentIntentId: `pi_${'y'.repeat(3000)}` });
    expect((await outcomeOf(deliver(event))).outcome).toBe('ignored');
    expect(await balance(b)).toBe(0);
  });
  describe('a refund that fails or is cancelled gives the money back to us', () => {
    it('gives back exactly once the credits it had clawed back, however often and concurrently the failure is delivered', async () => {
      const b = await buyer();
      const purchase = checkoutCompleted(b, 'starter', starter);
      await deliver(purchase);
      const refundId = newRefundId();
      await deliver(chargeRefunded(b, payment(purchase), 500));
      await deliver(refundObject('refund.created', payment(purchase), refundId, 500, 'succeeded'));
      expect(await balance(b)).toBe(500_000_000);
      // The card was closed: Stripe reports the refund failed and the $5.00 back on our balance.
      const failed = refundObject('charge.refund.updated', payment(purchase), refundId, 500, 'failed');
      const answers = await Promise.all(Array.from({ length: 10 }, () => outcomeOf(deliver(failed))));
      expect(answers.filter((a) => a.status !== 200 && a.status !== 409)).toEqual([]);
      for (const [i, a] of answers.entries()) if (a.status === 409) answers[i] = await outcomeOf(deliver(failed));
      expect(answers.filter((a) => a.outcome === 'restored')).toHaveLength(1);
      // The same fact under the newer event type, and an older state delivered late, change nothing.
      await deliver(refundObject('refund.failed', payment(purchase), refundId, 500, 'failed'));
      await deliver(refundObject('refund.updated', payment(purchase), refundId, 500, 'succeeded'));
      await deliver(chargeRefunded(b, payment(purchase), 500));
      expect(await balance(b)).toBe(1_000_000_000);
      const restored = (await ledger.all(b.accountId)).filter((e) => e.amountMicro > 0 && e.type !== 'purchase');
      expect(restored).toEqual([
        expect.objectContaining({
          type: 'release',
          amountMicro: 500_000_000,
          ref: refundId,
          stripe: expect.objectContaining({ refundId }),
        }),
      ]);
      expect((await mailsTo(b)).at(-1)).toMatchObject({
        subject: `A refund on your purchase of ${starter.name} did not go through`,
        text: expect.stringContaining('500 credits that were taken back are yours again'),
      });
      // A later refund counts from what is really refunded now (the charge reports 300 after the failure).
      const second = newRefundId();
      await deliver(chargeRefunded(b, payment(purchase), 300));
      await deliver(refundObject('refund.created', payment(purchase), second, 300, 'pending'));
      expect(await balance(b)).toBe(700_000_000);
      expect(await ledger.purchaseOf(payment(purchase).paymentIntentId)).toMatchObject({ clawedBackMicro: 300_000_000 });
    });

    it('gives back a cancelled refund, and keeps a refund that only moved from pending to succeeded', async () => {
      const b = await buyer();
      const purchase = checkoutCompleted(b, 'starter', starter);
      await deliver(purchase);
      const [cancelled, kept] = [newRefundId(), newRefundId()];
      await deliver(refundObject('refund.created', payment(purchase), cancelled, 400, 'requires_action'));
      await deliver(chargeRefunded(b, payment(purchase), 400));
      expect(await balance(b)).toBe(600_000_000);
      expect((await outcomeOf(deliver(refundObject('refund.updated', payment(purchase), cancelled, 400, 'canceled')))).outcome).toBe(
        'restored',
      );
      expect(await balance(b)).toBe(1_000_000_000);
      await deliver(refundObject('refund.created', payment(purchase), kept, 200, 'pending'));
      await deliver(refundObject('refund.updated', payment(purchase), kept, 200, 'succeeded'));
      expect(await balance(b)).toBe(800_000_000);
    });

    it('ends every order of a failed refund and a second refund in the balance in-order delivery gives', async () => {
      // In order: 500 refunded, it fails (the charge is back to 0), then 300 are refunded and succeed.
      const steps = ['checkout', 'charge500', 'created1', 'failed1', 'created2', 'charge300', 'succeeded2'] as const;
      const settle = async (order: readonly (typeof steps)[number][]) => {
        const b = await buyer();
        const purchase = checkoutCompleted(b, 'starter', starter);
        const [r1, r2] = [newRefundId(), newRefundId()];
        for (const step of order) {
          if (step === 'checkout') await deliver(purchase);
          if (step === 'charge500') await deliver(chargeRefunded(b, payment(purchase), 500));
          if (step === 'created1') await deliver(refundObject('refund.created', payment(purchase), r1, 500, 'pending'));
          if (step === 'failed1') await deliver(refundObject('charge.refund.updated', payment(purchase), r1, 500, 'failed'));
          if (step === 'created2') await deliver(refundObject('refund.created', payment(purchase), r2, 300, 'pending'));
          if (step === 'charge300') await deliver(chargeRefunded(b, payment(purchase), 300));
          if (step === 'succeeded2') await deliver(refundObject('refund.updated', payment(purchase), r2, 300, 'succeeded'));
        }
        return balance(b);
      };
      expect(await settle(steps)).toBe(700_000_000);
      await fc.assert(
        fc.asyncProperty(fc.shuffledSubarray([...steps], { minLength: steps.length, maxLength: steps.length }), async (order) => {
          expect({ order, balance: await settle(order) }).toEqual({ order, balance: 700_000_000 });
        }),
        { numRuns: 10 },
      );
    });
  });

  it('settles a checkout, refunds that fail and succeed, and a dispute all delivered at once, and parks nothing for good', async () => {
    const b = await buyer();
    const purchase = checkoutCompleted(b, 'starter', starter);
    const [r1, r2, d1] = [newRefundId(), newRefundId(), newDisputeId()];
    const events = [
      purchase,
      chargeRefunded(b, payment(purchase), 500),
      refundObject('refund.created', payment(purchase), r1, 500, 'pending'),
      refundObject('refund.failed', payment(purchase), r1, 500, 'failed'),
      refundObject('refund.created', payment(purchase), r2, 300, 'succeeded'),
      chargeRefunded(b, payment(purchase), 300),
      dispute('charge.dispute.created', { ...payment(purchase), amountMinor: 200 }, d1, 'needs_response'),
      dispute('charge.dispute.closed', { ...payment(purchase), amountMinor: 200 }, d1, 'lost'),
    ];
    let pending = events;
    // Stripe retries whatever did not get a 2xx, until everything has.
    for (let round = 0; pending.length && round < 5; round++) {
      const answers = await Promise.all(pending.map((event) => deliver(event)));
      expect(answers.map((a) => a.statusCode).filter((status) => status !== 200 && status !== 409)).toEqual([]);
      pending = pending.filter((_, i) => answers[i]!.statusCode !== 200);
    }
    expect(pending).toEqual([]);
    // 300 refunded and 200 lost of the 1000 paid: 500 credits are the buyer's.
    expect(await balance(b)).toBe(500_000_000);
    expect(await parkedFor(payment(purchase).paymentIntentId)).toEqual([]);
  });

  it('leaves nothing parked when the purchase lands between a refund finding no purchase and parking itself', async () => {
    const b = await buyer();
    const purchase = checkoutCompleted(b, 'starter', starter);
    const addPending = jest.spyOn(DynamoDbParkedReversals.prototype, 'add');
    // The purchase is handled to the end (it finds nothing parked yet), then the refund parks itself.
    addPending.mockImplementationOnce(async function (this: DynamoDbParkedReversals, ...args) {
      expect((await outcomeOf(deliver(purchase))).outcome).toBe('credited');
      // The spy's next call goes through to the adapter.
      return DynamoDbParkedReversals.prototype.add.call(this, ...args);
    });
    try {
      expect((await outcomeOf(deliver(chargeRefunded(b, payment(purchase), 400)))).outcome).toBe('reversed');
    } finally {
      addPending.mockRestore();
    }
    expect(await balance(b)).toBe(600_000_000);
    expect(await parkedFor(payment(purchase).paymentIntentId)).toEqual([]);
  });

  it('keeps a refund of a charge it never saw only as long as Stripe could still deliver its purchase', async () => {
    // A payment of something else on the same Stripe account, refunded and disputed: parked in case its purchase comes late.
    const stranger = await buyer();
    const other = { paymentIntentId: `pi_test_${stranger.accountId.slice(-12)}`, amountMinor: 5000, currency: 'usd' };
    expect((await outcomeOf(deliver(chargeRefunded(stranger, other, 5000)))).outcome).toBe('deferred_until_purchase');
    const tables = await dynamo.scanAll();
    expect(tables.ledger.filter((item) => item.pk === `PAYMENT#${other.paymentIntentId}`)).toEqual([]);
    const parked = tables.webhookEvents.filter((item) => item.pk === `PAYMENT#${other.paymentIntentId}`);
    expect(parked).toHaveLength(1);
    // Stripe redelivers an event for three days and lets it be resent for 30: past that its purchase can never land.
    const days = (Number(parked[0]!.expiresAt) - Date.now() / 1000) / 86_400;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
  });

  it('still applies a refund parked in the ledger table before parked refunds expired', async () => {
    const b = await buyer();
    const purchase = checkoutCompleted(b, 'starter', starter);
    const refund = chargeRefunded(b, payment(purchase), 250);
    await dynamo.client.send(
      new PutCommand({
        TableName: 'ledger',
        Item: {
          pk: `PAYMENT#${payment(purchase).paymentIntentId}`,
          sk: `PENDING#${refund.id}`,
          eventId: refund.id,
          eventType: 'charge.refunded',
          object: {
            chargeId: refund.data.object.id,
            paymentIntentId: payment(purchase).paymentIntentId,
            amountRefunded: 250,
            currency: 'usd',
          },
          receivedAt: new Date().toISOString(),
        },
      }),
    );
    await deliver(purchase);
    expect(await balance(b)).toBe(750_000_000);
    expect(await parkedFor(payment(purchase).paymentIntentId)).toEqual([]);
  });

  describe('dispute events beyond created and closed', () => {
    it('holds the larger amount an update reports, and releases on funds_reinstated of a won dispute', async () => {
      const b = await buyer();
      const purchase = checkoutCompleted(b, 'starter', starter);
      await deliver(purchase);
      const id = newDisputeId();
      await deliver(dispute('charge.dispute.created', { ...payment(purchase), amountMinor: 400 }, id, 'needs_response'));
      expect(await balance(b)).toBe(600_000_000);
      expect((await outcomeOf(deliver(dispute('charge.dispute.updated', payment(purchase), id, 'under_review')))).outcome).toBe('held');
      expect(await balance(b)).toBe(0);
      expect((await outcomeOf(deliver(dispute('charge.dispute.funds_reinstated', payment(purchase), id, 'won')))).outcome).toBe('released');
      expect(await balance(b)).toBe(1_000_000_000);
      // The closing event that follows, and a late withdrawal, change nothing.
      await deliver(dispute('charge.dispute.closed', payment(purchase), id, 'won'));
      await deliver(dispute('charge.dispute.funds_withdrawn', payment(purchase), id, 'needs_response'));
      expect(await balance(b)).toBe(1_000_000_000);
    });

    it('holds for an inquiry and releases when it closes with a warning, funds withdrawn first or not', async () => {
      const b = await buyer();
      const purchase = checkoutCompleted(b, 'starter', starter);
      await deliver(purchase);
      const id = newDisputeId();
      await deliver(dispute('charge.dispute.funds_withdrawn', payment(purchase), id, 'warning_needs_response'));
      await deliver(dispute('charge.dispute.created', payment(purchase), id, 'warning_needs_response'));
      expect(await balance(b)).toBe(0);
      await deliver(dispute('charge.dispute.closed', payment(purchase), id, 'warning_closed'));
      expect(await balance(b)).toBe(1_000_000_000);
    });

    it('gives back the credits of a lost dispute won on appeal, once, in the order Stripe sent it or shuffled', async () => {
      for (const shuffled of [false, true]) {
        const b = await buyer();
        const purchase = checkoutCompleted(b, 'starter', starter);
        await deliver(purchase);
        const id = newDisputeId();
        const events = [
          dispute('charge.dispute.created', payment(purchase), id, 'needs_response'),
          dispute('charge.dispute.closed', payment(purchase), id, 'lost'),
          dispute('charge.dispute.updated', payment(purchase), id, 'appeal_needs_response'),
          dispute('charge.dispute.updated', payment(purchase), id, 'appeal_under_review'),
          dispute('charge.dispute.funds_reinstated', payment(purchase), id, 'won'),
          dispute('charge.dispute.closed', payment(purchase), id, 'won'),
        ];
        // Shuffled: the win first, the events before it late and twice.
        const order = shuffled ? [events[4]!, events[2]!, events[0]!, events[1]!, events[5]!, events[3]!, events[1]!, events[0]!] : events;
        const balances: number[] = [];
        for (const event of order) {
          expect((await deliver(event)).statusCode).toBe(200);
          balances.push(await balance(b));
        }
        if (!shuffled) expect(balances).toEqual([0, 0, 0, 0, 1_000_000_000, 1_000_000_000]);
        expect(await balance(b)).toBe(1_000_000_000);
        expect(checkPurchases(await ledger.purchasesOf(b.accountId), await ledger.all(b.accountId))).toEqual([]);
        if (!shuffled)
          expect((await mailsTo(b)).at(-1)).toMatchObject({
            subject: `The dispute on your purchase of ${starter.name} is closed`,
            text: expect.stringMatching(
              /lost at first, was won on appeal: 1000 credits taken back are yours to use again[\s\S]*Balance now: 1000 credits/,
            ),
          });
      }
    });

    it('takes nothing for a prevented dispute: a block keeps the money, a resolution moves it by a refund Stripe reports', async () => {
      const b = await buyer();
      const blocked = checkoutCompleted(b, 'starter', starter);
      await deliver(blocked);
      const id = newDisputeId();
      await deliver(dispute('charge.dispute.created', payment(blocked), id, 'prevented'));
      await deliver(dispute('charge.dispute.closed', payment(blocked), id, 'prevented'));
      expect(await balance(b)).toBe(1_000_000_000);
      // Resolved: Stripe refunds the buyer, and the refund (in either order) takes the credits once.
      const resolved = checkoutCompleted(b, 'starter', starter);
      await deliver(resolved);
      const other = newDisputeId();
      await deliver(dispute('charge.dispute.closed', payment(resolved), other, 'prevented'));
      await deliver(chargeRefunded(b, payment(resolved), 600));
      await deliver(dispute('charge.dispute.created', payment(resolved), other, 'prevented'));
      expect(await balance(b)).toBe(1_400_000_000);
    });
  });

  describe('events from the other Stripe mode', () => {
    it('acknowledges a live-mode event at a test-mode deployment and changes nothing (a retry could never apply it)', async () => {
      const b = await buyer();
      const live = { ...checkoutCompleted(b, 'starter', starter), livemode: true };
      expect(await outcomeOf(deliver(live))).toMatchObject({ status: 200, outcome: 'wrong_mode' });
      expect(await balance(b)).toBe(0);
      expect(await ledger.all(b.accountId)).toEqual([]);
    });
  });
  describe("events of another Stripe account's money", () => {
    it('credits nothing for a checkout paid to a connected account, and keeps nothing of its refunds', async () => {
      const b = await buyer();
      // Signed with our Connect endpoint's secret, shaped as ours — but the money went to `acct_…`, not to us.
      const connected = { ...checkoutCompleted(b, 'starter', starter), account: 'acct_1ConnectedSeller' };
      expect(await outcomeOf(deliver(connected))).toMatchObject({ status: 200, outcome: 'other_account' });
      const refund = { ...chargeRefunded(b, payment(connected), 1000), account: 'acct_1ConnectedSeller' };
      expect(await outcomeOf(deliver(refund))).toMatchObject({ status: 200, outcome: 'other_account' });
      expect(await balance(b)).toBe(0);
      expect(await ledger.all(b.accountId)).toEqual([]);
      expect(await parkedFor(payment(connected).paymentIntentId)).toEqual([]);
    });
  });

  describe('checkouts in shapes our checkout never makes', () => {
    const session = (event: ReturnType<typeof checkoutCompleted>) => event.data.object as Record<string, unknown>;

    it.each([
      [
        'metadata naming another account than client_reference_id',
        (o: Record<string, unknown>) => (o.metadata = { accountId: 'acc_someone_else', pack: 'starter' }),
      ],
      ['no metadata (a session made outside our checkout endpoint)', (o: Record<string, unknown>) => delete o.metadata],
      ['a pack we do not sell', (o: Record<string, unknown>) => ((o.metadata as Record<string, string>).pack = 'platinum')],
      [
        'an amount of 0 marked paid (a 100 % coupon)',
        (o: Record<string, unknown>) => Object.assign(o, { amount_total: 0, amount_subtotal: 1000 }),
      ],
    ])('credits nothing for a paid session with %s, and records a mismatch', async (_name, change) => {
      const b = await buyer();
      const event = checkoutCompleted(b, 'starter', starter);
      change(session(event));
      expect((await outcomeOf(deliver(event))).outcome).toBe('rejected_mismatch');
      expect(await balance(b)).toBe(0);
      const events = (await dynamo.scanAll()).securityEvents.filter((e) => e.accountId === b.accountId);
      expect(events.map((e) => e.type)).toEqual(['purchase_mismatch']);
    });

    it('credits nothing for a session that needed no payment, nor for one whose delayed payment failed or that expired', async () => {
      const b = await buyer();
      const free = checkoutCompleted(b, 'starter', starter);
      Object.assign(session(free), { payment_status: 'no_payment_required', amount_total: 0, payment_intent: null });
      expect((await outcomeOf(deliver(free))).status).toBe(200);
      const delayed = checkoutCompleted(b, 'starter', starter);
      session(delayed).payment_status = 'unpaid';
      await deliver(delayed);
      await deliver({ ...delayed, id: `${delayed.id}_failed`, type: 'checkout.session.async_payment_failed' });
      await deliver({ ...delayed, id: `${delayed.id}_expired`, type: 'checkout.session.expired' });
      expect(await balance(b)).toBe(0);
      expect(await ledger.all(b.accountId)).toEqual([]);
    });

    it('alarms, and moves nothing, when a delayed payment is reported failed after it was credited as succeeded', async () => {
      const mismatches = jest.spyOn(require('../../../lambdas/billing/adapters/powertools-metrics').billingMetrics, 'purchaseMismatch');
      mismatches.mockClear();
      const b = await buyer();
      const completed = checkoutCompleted(b, 'starter', starter);
      session(completed).payment_status = 'unpaid';
      expect((await outcomeOf(deliver(completed))).outcome).toBe('not_paid_yet');
      const succeeded = { ...completed, id: `${completed.id}_ok`, type: 'checkout.session.async_payment_succeeded' };
      succeeded.data = { object: { ...session(completed), payment_status: 'paid' } };
      expect((await outcomeOf(deliver(succeeded))).outcome).toBe('credited');
      const failed = { ...completed, id: `${completed.id}_failed`, type: 'checkout.session.async_payment_failed' };
      expect(await outcomeOf(deliver(failed))).toMatchObject({ status: 200, outcome: 'payment_failed_after_credit' });
      expect(mismatches).toHaveBeenCalledTimes(1);
      // Stripe reports a late failure as a dispute or refund, whose events move the credits; this one alone does not.
      expect(await balance(b)).toBe(1_000_000_000);
      const events = (await dynamo.scanAll()).securityEvents.filter((e) => e.accountId === b.accountId && e.type === 'purchase_mismatch');
      expect(events).toHaveLength(1);
    });

    it('credits a paid session once though Stripe later reports it expired, and the expiry changes nothing', async () => {
      const b = await buyer();
      const paid = checkoutCompleted(b, 'starter', starter);
      await deliver(paid);
      const expired = { ...paid, id: `${paid.id}_expired`, type: 'checkout.session.expired' };
      Object.assign(expired.data.object, { status: 'expired' });
      expect((await outcomeOf(deliver(expired))).outcome).toBe('ignored');
      expect(await balance(b)).toBe(1_000_000_000);
    });
  });

  describe('events about an account that was erased', () => {
    /** What erasure leaves of a purchase (lambdas/privacy): the payment names a pseudonym; the account and its ledger partition are gone. */
    async function erase(b: Buyer, paymentIntentId: string) {
      const { DeleteCommand } = await import('@aws-sdk/lib-dynamodb');
      await dynamo.client.send(new DeleteCommand({ TableName: 'accounts', Key: { pk: `ACCOUNT#${b.accountId}`, sk: 'PROFILE' } }));
      // Entries move under the pseudonym; everything else of the account's ledger partition goes.
      for (const item of (await dynamo.scanAll()).ledger.filter((i) => i.pk === `ACCOUNT#${b.accountId}`))
        await dynamo.client.send(new DeleteCommand({ TableName: 'ledger', Key: { pk: item.pk, sk: item.sk } }));
      await dynamo.client.send(
        new UpdateCommand({
          TableName: 'ledger',
          Key: { pk: `PAYMENT#${paymentIntentId}`, sk: 'PAYMENT' },
          UpdateExpression: 'SET accountId = :p',
          ExpressionAttributeValues: { ':p': 'psn_1_erased' },
        }),
      );
    }

    it('keeps nothing of a refund or dispute that comes after the erasure, and credits nobody', async () => {
      const b = await buyer();
      const purchase = checkoutCompleted(b, 'starter', starter);
      await deliver(purchase);
      const { paymentIntentId } = payment(purchase);
      await erase(b, paymentIntentId);
      expect((await outcomeOf(deliver(chargeRefunded(b, payment(purchase), 1000)))).outcome).toBe('purchase_erased');
      expect(
        (await outcomeOf(deliver(dispute('charge.dispute.created', payment(purchase), newDisputeId(), 'needs_response')))).outcome,
      ).toBe('purchase_erased');
      // Its checkout redelivered late credits nobody.
      expect((await outcomeOf(deliver(purchase))).outcome).toBe('duplicate');
      expect((await outcomeOf(deliver({ ...purchase, id: `${purchase.id}_again` }))).outcome).toBe('unknown_account');
      const left = (await dynamo.scanAll()).ledger.filter(
        (item) => String(item.pk) === `PAYMENT#${paymentIntentId}` || String(item.pk) === `ACCOUNT#${b.accountId}`,
      );
      expect(left.map((item) => item.sk)).toEqual(['PAYMENT']);
    });
  });
});
