import { BatchWriteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { balanceKey } from '../lambdas/shared/credits';
import { DynamoDbUsageStore, PAGE_FROM_CALLS_PER_SECOND, STEP_LAG_MS } from '../lambdas/metering/adapters/dynamodb-usage-store';
import type { UsageEvent } from '../lambdas/metering/domain/model';
import { DynamoDbKeyAddressLog } from '../lambdas/metering/adapters/dynamodb-address-watch';
import { KeyAddressWatch } from '../lambdas/metering/domain/address-watch';
import { recordUsageBatch } from '../lambdas/metering/domain/usage';
import { DynamoDbLowBalanceNotices, DynamoDbLowBalanceNoticeState } from '../lambdas/metering/adapters/dynamodb-usage-store';
import { StoreLoneCalls } from '../lambdas/metering/domain/lone-calls';
import { summedUsageMetrics } from '../lambdas/metering/adapters/powertools-metrics';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { ITEMS } from '../lambdas/shared/items';
import { isAgentKey, logPartition, sweepWeekMarkerItem, WEEK_MS, weekEndOf } from '../lambdas/shared/adapters/dynamodb-usage-logs';
import { itemSize } from './item-size';
import { MODEL } from './prices';
import {
  containersOf,
  type DeliveryModel,
  deliveryBatches,
  loneCallsOf,
  markedLone,
  type OfferedLoad,
  plannedCalls,
  ratesOf,
  seeded,
  totalRate,
  usageEventsOf,
} from './load';

/** What the worker's writes and stored items of a run came to, per call (usage event). */
export interface StoreFigures {
  events: number;
  batches: number;
  /** Calls the gateway recorded itself (lone calls: no message, no worker), per call. */
  loneShare: number;
  /** What recording them wrote and read (slot, sweep list aside; the settings and notice reads), per call of the load. */
  loneWriteUnits: number;
  loneReadUnits: number;
  /** Round trips a lone call's recording makes one after another (the gateway's billed time). */
  loneRoundTrips: number;
  /** Worker write units: each write sized by DynamoDB's rules (the larger of the item before and after), doubled in a transaction. */
  workerWriteUnits: number;
  /** Worker read units (eventually consistent reads count half). */
  workerReadUnits: number;
  /** The key address watch's write units (part of `workerWriteUnits`): each key calls from one address, so a key's hour costs none. */
  addressWatchUnits: number;
  /**
   * The sweep's share, per call, in steady state: the day's sweep-list entries (each worker container
   * puts one per account and day: measured per account here, times the pollers, over a day of the
   * load's calls) and the sweep finishing each account's hour (measured by running it on the
   * simulated hour, over an hour of the load's calls). The load runs for seconds, so both are scaled
   * to the day and hour they are paid for, not charged to the seconds simulated.
   */
  sweepWriteUnits: number;
  sweepReadUnits: number;
  transactions: number;
  /** Logged calls per stored log item holding logs (pages, slots and single-call items); slots as they are once full (below). */
  callsPerLogItem: number;
  /**
   * Bytes stored in the usage-logs table per call, with DynamoDB's 100-byte per-item overhead, in
   * steady state: a slot fills over SLOT_CALLS of its account's calls, which a run of seconds does not
   * see, so the slot calls of accounts that are not busy are charged what slots hold per call over a
   * whole simulated hour of a sample of them (`steady`); pages, seq blocks, single items and busy
   * accounts' slots (their first call or two of each minute, far apart in sequence) as this run stored them.
   */
  storedBytesPerCall: number;
  /** The same, as this run's items hold it (partly filled slots charged in full). */
  storedBytesPerCallThisRun: number;
  /** The hour-long sample that prices slots, when the load stored any call in one. */
  steady?: {
    accounts: number;
    calls: number;
    /** The hour's slots (`M#`: of calls that were not lone) and day slots (`N#`: lone calls), apart. */
    hourSlots: SlotFigures;
    daySlots: SlotFigures;
    slotItems: number;
    callsPerSlot: number;
    /** Calls per item, slots and the single items of calls they had no room for. */
    callsPerItem: number;
    /** Bytes stored per admitted call of these accounts: slots, and the single items of calls they had no room for. */
    bytesPerSlotCall: number;
    /** The largest slot item (DynamoDB's item size, the write-unit measure): at most SLOT_MAX_BYTES. */
    largestSlotBytes: number;
    /** Admitted calls stored as single items because their slot had no room or its key was another client's. */
    singlesPerCall: number;
    /**
     * Write units a call spent because its slot was full: the refused slot updates and the single
     * items put instead, per call of the sample (part of `workerWriteUnitsPerCall`).
     */
    fullSlotUnitsPerCall: number;
    /** Agent items' writes and reads per call of the sample (once an hour per account, agent and container). */
    agentWriteUnitsPerCall: number;
    agentReadUnitsPerCall: number;
    /**
     * Everything the worker writes and reads per call of the sample (slots, the single items of calls
     * they had no room for, agent items, the accounts' settings once a batch), in the drain's batches
     * over the whole hour: what a quiet account's call costs once its calls of a period share a slot
     * write, which a run shorter than the period does not see. Priced for the run's slot calls.
     */
    workerWriteUnitsPerCall: number;
    workerReadUnitsPerCall: number;
    /** The share of the sample's calls the gateway recorded (lone calls), and what that wrote and read per call of the sample. */
    loneShare: number;
    loneWriteUnitsPerCall: number;
    loneReadUnitsPerCall: number;
    loneRoundTrips: number;
    /** What the sweep run that finishes the sample's hour writes and reads, per call of the sample. */
    sweepWriteUnitsPerCall: number;
    sweepReadUnitsPerCall: number;
    /** The day-long sample that prices the sweep for these accounts' calls (`sweptDay`): what is priced. */
    day: SweptDay;
  };
  /** Usage-logs table write units per call: what one account's log partition takes per call. */
  logPartitionUnitsPerCall: number;
  receivesPerCall: number;
  /** DeleteMessageBatch requests a call (up to ten messages each, per batch). */
  deletesPerCall: number;
  /** Distinct accounts in a worker batch (mean). */
  accountsPerBatch: number;
  /** Wall time of the store per event on this machine (dynalite, writes serialized): compare runs only. */
  storeMsPerEvent: number;
  /**
   * The worker's billed time per event on AWS, modelled: DYNAMO_ROUND_TRIP_MS for each round trip
   * the store makes one after another (the settings reads together, the notices' reads together, single puts 16 at a time, rollup
   * steps 8 at a time, transactions one by one) plus WORKER_CPU_MS_PER_EVENT.
   */
  workerMsPerEvent: number;
}

const ITEM_OVERHEAD = 100;
/** Calls of the hour-long sample that prices slots: enough accounts for an hour of their calls to stay near this. */
const STEADY_CALLS = 6_000;
/** A slot: of an hour (`M#`) or, for calls after a long silence, of a day (`N#`). */
const isSlot = (sk: string) => /^[MN]#.*#Z/.test(sk);
/** What an item holds calls of: a page, slot or single call does, an agent item (a user agent its slots name) does not. */
const logsIn = (sk: string, n: unknown) => (/^[LMN]#/.test(sk) && !isAgentKey(sk) ? Number(n ?? 1) : 0);
/** A DynamoDB request's round trip from Lambda in the same region (single-digit ms; taken high). */
export const DYNAMO_ROUND_TRIP_MS = MODEL.dynamoRoundTripMs;
/** The worker's own CPU per event at its memory (parsing, compression): taken high. */
export const WORKER_CPU_MS_PER_EVENT = 0.3;

/**
 * A DynamoDB document client that passes everything on and meters it: for each write, the size of
 * the item before (tracked) and after (read back, outside the count), so write units follow
 * DynamoDB's billing rules, not a guess.
 */
/** The low-balance notice's state, on the account's balance item (the ledger's `ACCOUNT#<id>` / `BALANCE`): looked at once a batch per watching account. */
const isNotice = (key: { pk?: unknown; sk?: unknown } | undefined) =>
  key?.sk === ITEMS.balance.key({ accountId: '' }).sk && String(key?.pk).startsWith(ITEMS.balance.pk({ accountId: '' }));

/**
 * Whether a query is the sweep's week pass (`finishWeek`): its rollups' query names its days `:first`…`:last`;
 * its calls' query spans the seven-day period, where a day's count spans one day at most.
 */
function isWeekPass(values: Record<string, unknown>): boolean {
  if (':first' in values) return true;
  const days = [values[':lower'], values[':upper']].flatMap((v) => (typeof v === 'string' ? (v.match(/\d{4}-\d{2}-\d{2}/) ?? []) : []));
  return days.length === 2 && Date.parse(days[1]!) - Date.parse(days[0]!) >= 2 * 86_400_000;
}

/** The figures of one kind of slot (an hour's, `M#`; a day's, `N#`): bytes stored per call with DynamoDB's overhead, and calls an item. */
export interface SlotFigures {
  calls: number;
  bytesPerSlotCall: number;
  callsPerItem: number;
}
const isSingleOfFullSlot = (sk: string) => /^M#.*#S\d+$/.test(sk);
/**
 * What the slot items of one kind hold per call: its slots, their agents' items and (for hour slots) the
 * single items of calls a full slot had no room for.
 */
function slotFiguresOf(items: { sk: string; bytes: number; logs: number }[]): SlotFigures {
  const slots = items.filter((s) => isSlot(s.sk));
  const alone = items.filter((s) => isSingleOfFullSlot(s.sk));
  const calls = slots.reduce((sum, s) => sum + s.logs, 0) + alone.length;
  const held = [...slots, ...alone, ...items.filter((s) => isAgentKey(s.sk))];
  return {
    calls,
    bytesPerSlotCall: held.reduce((sum, s) => sum + s.bytes + ITEM_OVERHEAD, 0) / Math.max(1, calls),
    callsPerItem: calls / Math.max(1, slots.length + alone.length),
  };
}

export class MeteredClient {
  writeUnits = 0;
  logTableWriteUnits = 0;
  /** Writes and reads of the sweep lists (`SWEEP#…` partitions): apart, as they are paid once a day per account and container. */
  sweepListWriteUnits = 0;
  sweepListReadUnits = 0;
  /** Slot updates refused (a full slot, or another client's): part of `writeUnits`, counted apart too. */
  refusedSlotUnits = 0;
  /** Writes of the key address watch (the securityEvents table): part of `writeUnits`, counted apart too. */
  addressWatchUnits = 0;
  /** Reads of low-balance notices' state: the worker makes a batch's all at once, as it reads the accounts' settings. */
  noticeReads = 0;
  /** Requests to the sweep lists (their reads and writes): made once a day per account and container. */
  sweepListRequests = 0;
  /**
   * The week pass's queries of a week-listed account (its calls over the seven-day period, its days'
   * rollups `:first`…`:last`): their read units (part of `readUnits`) and each one's bytes read and
   * consistency — a day-long sample sees them once for a day of calls, where they are made once a week
   * over a week's (see `sweptDay`).
   */
  weekPassReadUnits = 0;
  readonly weekPassQueries: { bytes: number; consistent: boolean }[] = [];
  /**
   * The week pass's puts of a period's item (`ITEMS.singlesWeek`): their write units (part of `writeUnits`),
   * and each one's bytes and the bytes of its entries — a day-long sample writes one with a day's entries,
   * where it is written once a week with a week's (see `sweptDay`).
   */
  weekPassWriteUnits = 0;
  readonly weekPassPuts: { bytes: number; entries: number }[] = [];
  readonly requests = new Map<string, number>();
  readUnits = 0;
  /** Writes and reads of agent items (part of `writeUnits` and `readUnits`, counted apart too): paid once an hour per account, agent and container. */
  agentWriteUnits = 0;
  agentReadUnits = 0;
  /** Write and read units of slots, agent items and the low-balance notice, by account partition (part of the totals too): what an account's slot calls cost. */
  readonly slotUnitsByPartition = new Map<string, { writes: number; reads: number }>();
  transactions = 0;

  constructor(
    private readonly inner: DynamoDBDocumentClient,
    /** The items' sizes, shared by clients metered apart (the gateway's lone calls and the worker write the same slots). */
    readonly sizes = new Map<string, { table: string; pk: string; sk: string; bytes: number; logs: number }>(),
  ) {}

  asClient(): DynamoDBDocumentClient {
    return this as unknown as DynamoDBDocumentClient;
  }

  async send(command: { constructor: { name: string }; input: any }): Promise<any> {
    const name = command.constructor.name;
    this.requests.set(name, (this.requests.get(name) ?? 0) + 1);
    let result: unknown;
    let failure: unknown;
    try {
      result = await this.inner.send(command as never);
    } catch (error) {
      failure = error;
    }
    if (name === 'TransactWriteCommand') {
      this.transactions++;
      for (const part of command.input.TransactItems as Record<string, any>[]) {
        const [kind, body] = Object.entries(part)[0]!;
        await this.meterWrite(kind, body, 2);
      }
    } else if (['PutCommand', 'UpdateCommand', 'DeleteCommand'].includes(name)) {
      const units = await this.meterWrite(name.replace('Command', ''), command.input, 1);
      if (failure && name === 'UpdateCommand' && isSlot(String(command.input.Key?.sk))) this.refusedSlotUnits += units;
    } else if (name === 'GetCommand') {
      const item = (result as { Item?: Record<string, unknown> } | undefined)?.Item;
      const units = Math.max(1, Math.ceil((item ? itemSize(item) : 1) / 4096)) * (command.input.ConsistentRead ? 1 : 0.5);
      this.readUnits += units;
      if (ITEMS.singlesWeek.matches(command.input.Key ?? {})) {
        this.weekPassReadUnits += units;
        this.weekPassQueries.push({ bytes: item ? itemSize(item) : 0, consistent: command.input.ConsistentRead === true });
      }
      if (isNotice(command.input.Key)) {
        this.noticeReads++;
        this.slotUnits(String(command.input.Key.pk)).reads += units;
      }
    } else if (name === 'QueryCommand') {
      const items = ((result as { Items?: Record<string, unknown>[] } | undefined)?.Items ?? []).reduce(
        (sum, item) => sum + itemSize(item),
        0,
      );
      const units = Math.max(1, Math.ceil(items / 4096)) * (command.input.ConsistentRead ? 1 : 0.5);
      this.readUnits += units;
      if (isWeekPass(command.input.ExpressionAttributeValues ?? {})) {
        this.weekPassReadUnits += units;
        this.weekPassQueries.push({ bytes: items, consistent: command.input.ConsistentRead === true });
      }
    } else if (name === 'BatchGetCommand') {
      // Each key asked for is read (an item that is not there still costs the least a read costs).
      let sweepKeys = 0;
      const found = new Map<string, Record<string, unknown>>();
      for (const [table, items] of Object.entries((result as { Responses?: Record<string, Record<string, unknown>[]> })?.Responses ?? {}))
        for (const item of items) found.set(`${table}|${item.pk}|${item.sk}`, item);
      for (const [table, request] of Object.entries(
        command.input.RequestItems as Record<string, { Keys: Record<string, unknown>[]; ConsistentRead?: boolean }>,
      ))
        for (const key of request.Keys) {
          const item = found.get(`${table}|${key.pk}|${key.sk}`);
          const units =
            Math.max(1, Math.ceil((item ? (this.sizes.get(`${table}|${key.pk}|${key.sk}`)?.bytes ?? itemSize(item)) : 1) / 4096)) *
            (request.ConsistentRead ? 1 : 0.5);
          if (String(key.pk).startsWith('SWEEP#')) {
            this.sweepListReadUnits += units;
            sweepKeys++;
            continue;
          }
          this.readUnits += units;
          if (isAgentKey(String(key.sk))) {
            this.agentReadUnits += units;
            this.slotUnits(String(key.pk)).reads += units;
          }
        }
      if (sweepKeys) this.sweepListRequests++;
    } else if (name === 'BatchWriteCommand') {
      for (const [table, requests] of Object.entries(command.input.RequestItems as Record<string, any[]>)) {
        for (const request of requests)
          await this.meterWrite(
            request.PutRequest ? 'Put' : 'Delete',
            { TableName: table, ...(request.PutRequest ?? request.DeleteRequest) },
            1,
          );
      }
    }
    if (failure) throw failure;
    return result;
  }

  private async meterWrite(kind: string, body: Record<string, any>, factor: number): Promise<number> {
    const table = String(body.TableName);
    const key = body.Key ?? { pk: body.Item?.pk, sk: body.Item?.sk };
    if (String(key.pk).startsWith('SWEEP#')) {
      this.sweepListWriteUnits += factor;
      this.sweepListRequests++;
      return factor;
    }
    const id = `${table}|${key.pk}|${key.sk}`;
    const before = this.sizes.get(id)?.bytes ?? 0;
    let after = 0;
    if (kind === 'Put') {
      after = itemSize(body.Item);
      this.sizes.set(id, {
        table,
        pk: String(body.Item.pk),
        sk: String(body.Item.sk),
        bytes: after,
        logs: logsIn(String(body.Item.sk), body.Item.n),
      });
    } else if (kind === 'Update') {
      const { Item } = await this.inner.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
      after = Item ? itemSize(Item) : 0;
      if (Item)
        this.sizes.set(id, {
          table,
          pk: String(Item.pk),
          sk: String(Item.sk),
          bytes: after,
          logs: logsIn(String(Item.sk), Item.n),
        });
    } else if (kind === 'Delete') this.sizes.delete(id);
    const units = Math.max(1, Math.ceil(Math.max(before, after) / 1024)) * factor;
    this.writeUnits += units;
    if (kind === 'Put' && table === 'usageAggregates' && ITEMS.singlesWeek.matches(key)) {
      this.weekPassWriteUnits += units;
      this.weekPassPuts.push({ bytes: after, entries: after - itemSize({ ...body.Item, h: {} }) });
    }
    if (isAgentKey(String(key.sk))) this.agentWriteUnits += units;
    if (isAgentKey(String(key.sk)) || isSlot(String(key.sk)) || isNotice(key)) this.slotUnits(String(key.pk)).writes += units;
    if (table === 'usageLogs') this.logTableWriteUnits += units;
    if (table === 'securityEvents') this.addressWatchUnits += units;
    return units;
  }

  private slotUnits(pk: string): { writes: number; reads: number } {
    const units = this.slotUnitsByPartition.get(pk) ?? { writes: 0, reads: 0 };
    this.slotUnitsByPartition.set(pk, units);
    return units;
  }
}

/**
 * A worker container per poller, each with the store as the worker makes it: what a container
 * remembers between batches (the sweep marks, the agents it has put or read) is its own, as on Lambda.
 */
function workerContainers(metered: MeteredClient, model: DeliveryModel, clock: () => number, tallyEvery?: number): DynamoDbUsageStore[] {
  return Array.from(
    { length: containersOf(model) },
    () =>
      new DynamoDbUsageStore(
        metered.asClient(),
        { usageLogs: 'usageLogs', usageAggregates: 'usageAggregates', ledger: 'ledger' },
        undefined,
        clock,
        tallyEvery,
      ),
  );
}

/**
 * The low-balance notice as most paying accounts have it: a purchase turns it on at a tenth of the
 * pack when the holder never chose, so every account of a load watches its balance — far above the
 * threshold, so none is mailed. The worker looks at its state once a batch per account, through the
 * metered client (a half read since round 15; a refused conditional write, a whole write unit, before).
 */
const WATCHING = { lowBalanceMicro: 1_000_000_000, email: 'bench@example.org' };
function lowBalanceNotices(metered: MeteredClient): DynamoDbLowBalanceNotices {
  const mailer = {
    send: async () => {
      throw new Error('a bench load mailed a low-balance notice: its balances are far above the threshold');
    },
  };
  return new DynamoDbLowBalanceNotices(metered.asClient(), 'ledger', mailer, 'https://bench.invalid');
}
/**
 * Each account's balance item as the steady state holds it: funded, with the low-balance notice's state
 * on it (taken over once in the account's life, at its first call after the deploy that moved it there).
 * The admit writes that keep it are priced apart, unmetered here: the gateway learns the state from the
 * admit write's returned item, and the worker reads it there once a batch (metered).
 */
async function fundedAccounts(client: DynamoDBDocumentClient, events: UsageEvent[]): Promise<void> {
  const accounts = [...new Set(events.map((event) => event.accountId))];
  for (let i = 0; i < accounts.length; i += 25) {
    let pending: Record<string, unknown>[] | undefined = accounts.slice(i, i + 25).map((accountId) => ({
      PutRequest: { Item: { ...balanceKey(accountId), balance: 1_000_000_000_000, noticeArmed: true } },
    }));
    while (pending?.length) {
      const { UnprocessedItems } = await client.send(new BatchWriteCommand({ RequestItems: { ledger: pending } }));
      pending = UnprocessedItems?.ledger as Record<string, unknown>[] | undefined;
    }
  }
}
const fail = (error: unknown) => {
  throw error;
};

/** The worker's key address watch at the stage's default limit, writing through the metered client; a load never flags a key. */
function addressWatch(metered: MeteredClient): KeyAddressWatch {
  const never = async () => {
    throw new Error('a bench load flagged a key: each key calls from one address');
  };
  return new KeyAddressWatch(
    new DynamoDbKeyAddressLog(metered.asClient(), 'securityEvents'),
    { raise: never, suspend: never },
    { addressesPerHour: 50, suspend: false },
  );
}

/**
 * The bytes of the EMF line the gateway's lone calls' metrics take in its log (one a minute at most per
 * container, `summedUsageMetrics`), rendered by that adapter (Powertools), with its newline.
 */
export function loneCallMetricsBytes(): number {
  const lines: string[] = [];
  const target = new Metrics({ namespace: 'OmnAPI', serviceName: 'usage-worker' });
  (target as unknown as { console: { log: (line: string) => void } }).console = { log: (line) => lines.push(line) };
  const [event] = usageEventsOf(plannedCalls(MATRIX_PROBE), new Date(), String, (a, k) => `key_${a}_${k}`);
  // A line is written a minute after the container's last (the first call only starts the count).
  let clock = 0;
  const metrics = summedUsageMetrics(target, () => clock);
  metrics.recorded([event!]);
  clock = 60_000;
  metrics.recorded([event!]);
  if (lines.length !== 1) throw new Error(`a lone call's metrics took ${lines.length} lines`);
  return Buffer.byteLength(lines[0]!) + 1;
}
const MATRIX_PROBE: OfferedLoad = {
  name: 'probe',
  accounts: 1,
  rate: { perAccountPerMinute: 1 },
  keysPerAccount: 1,
  refused: { insufficientCredit: 0, rateLimited: 0 },
  seconds: 60,
};

/**
 * The gateway's lone calls (`StoreLoneCalls`): each gateway container with its own store, as on Lambda,
 * the account's settings read (half a read unit) and its notice's state, metered apart from the
 * worker's writes on the same items. The round trips a recording makes one after another are counted
 * for the gateway's billed time.
 */
class LoneRecorders {
  readonly metered: MeteredClient;
  calls = 0;
  settingsReads = 0;
  /** Round trips one after another, but the sweep list's, and those apart. */
  roundTrips = 0;
  markerTrips = 0;
  private readonly containers: StoreLoneCalls[];
  private clock = 0;

  constructor(worker: MeteredClient, client: DynamoDBDocumentClient, containers: number, analytics: boolean) {
    this.metered = new MeteredClient(client, worker.sizes);
    const settings = { of: async () => ((this.settingsReads += 0.5), { analytics, ...WATCHING }) };
    this.containers = Array.from(
      { length: Math.max(1, containers) },
      () =>
        new StoreLoneCalls({
          store: new DynamoDbUsageStore(
            this.metered.asClient(),
            { usageLogs: 'usageLogs', usageAggregates: '', ledger: 'ledger' },
            undefined,
            () => this.clock,
          ),
          settings,
          notices: new DynamoDbLowBalanceNoticeState(this.metered.asClient(), 'ledger'),
        }),
    );
  }

  /** Records the call as the gateway container it lands on (one by its position) would. */
  async record(event: UsageEvent): Promise<void> {
    this.clock = Date.parse(event.at) + 50;
    const requests = () => [...this.metered.requests.values()].reduce((a, b) => a + b, 0);
    const before = requests();
    const noticeReads = this.metered.noticeReads;
    const container = this.containers[this.calls++ % this.containers.length]!;
    // The notice's state as the admit write returned it with the balance item (`fundedAccounts`), on the event.
    if (!(await container.begin(event.accountId, event.balanceMicro ?? 0, event.noticeArmed).record(event)))
      throw new Error(`a lone call of ${event.accountId} was left to the queue`);
    // The settings read (the notice's state read beside it), then each request of the recording, one after another;
    // the sweep list's apart (a container marks an account once a day or week, which a run of seconds or an hour does not see).
    const markers = this.metered.sweepListRequests;
    this.roundTrips += 1 + requests() - before - (markers - this.markerTrips) - (this.metered.noticeReads - noticeReads);
    this.markerTrips = markers;
  }
}

/**
 * 10:00 UTC on the `n`th day after tomorrow: a simulated load runs ahead of the wall clock, as the
 * local runtime expires items by it (as DynamoDB's TTL does), so no item a load writes — the day's
 * sweep lists live three days — is gone before the sweep reads it.
 */
export function simulatedDay(n: number): Date {
  return new Date((Math.floor(Date.now() / 86_400_000) + 2 + n) * 86_400_000 + 10 * 3_600_000);
}

/**
 * The sweep run that finishes the hour starting at `start`, and only it (each hour is finished by one
 * run, the first after its end plus STEP_LAG_MS): what finishing an hour costs. Returns the run's time.
 */
async function sweepTheHour(store: DynamoDbUsageStore, start: Date): Promise<number> {
  const closed = start.getTime() + 3_600_000 + STEP_LAG_MS;
  await store.finishHours(closed - 1, closed + 60_000);
  return closed + 60_000;
}

/**
 * Runs an offered load through the real usage worker code — `recordUsageBatch` and the DynamoDB
 * usage store — against local DynamoDB, in the batches `model` would form, and meters what it
 * writes and stores. Time is simulated: a day of traffic takes as long as its writes.
 */
export async function simulateLoad(
  client: DynamoDBDocumentClient,
  load: OfferedLoad,
  model: DeliveryModel,
  /** `refusedApart`: refused calls come from two accounts of their own (one out of credit, one over its limit), as in the end-to-end runs. */
  /** `legacyForm`: events without the minute's count, as the gateway queued them before: every admitted call paged (the design before single calls). */
  /** `tallyEvery`: another share of single calls starting a counting step (the store's default otherwise). */
  /** `gatewayContainers`: the warm gateway containers the load keeps (the lone calls' stores). */
  options: {
    analytics?: boolean;
    start?: Date;
    refusedApart?: boolean;
    legacyForm?: boolean;
    tallyEvery?: number;
    gatewayContainers?: number;
  } = {},
): Promise<StoreFigures> {
  const start = options.start ?? simulatedDay(0);
  const tag = Math.random().toString(36).slice(2, 8);
  const calls = plannedCalls(load).map((call) =>
    options.refusedApart && call.status !== 200 ? { ...call, account: load.accounts + (call.status === 402 ? 0 : 1), key: 0 } : call,
  );
  const planned = usageEventsOf(
    calls,
    start,
    (i) => `acc_sim${tag}_${i}`,
    (a, k) => `key_sim${tag}_${a}_${k}`,
  ).map(({ used, ...event }) => (options.legacyForm ? event : { ...event, used }));
  // Lone calls are recorded by the gateway, the rest queued (the earlier form queued every call).
  const lone = options.legacyForm ? planned.map(() => false) : loneCallsOf(load, calls, planned);
  const events = markedLone(planned, lone);
  await fundedAccounts(client, events);
  const messages = events.flatMap((event, i) =>
    lone[i] ? [] : [{ at: Date.parse(event.at), item: { messageId: `m${i}`, body: JSON.stringify(event) } }],
  );
  const { batches, receives } = deliveryBatches(messages, model);
  const metered = new MeteredClient(client);
  const recorders = new LoneRecorders(metered, client, options.gatewayContainers ?? 1, options.analytics ?? true);
  const loneEvents = events.filter((_, i) => lone[i]);
  let nextLone = 0;
  const recordLoneUntil = async (until: number) => {
    while (nextLone < loneEvents.length && Date.parse(loneEvents[nextLone]!.at) < until) await recorders.record(loneEvents[nextLone++]!);
  };
  let clock = start.getTime();
  const stores = workerContainers(metered, model, () => clock, options.tallyEvery);
  const store = stores[0]!;
  // The slots of accounts that are not busy fill over minutes; a busy account's (its first call or two
  // of each minute, far apart in sequence) hold what they hold now, whatever the run's length.
  const quiet = new Set(
    ratesOf(load).flatMap((rate, i) => (rate > 0 && rate < PAGE_FROM_CALLS_PER_SECOND ? [logPartition(`acc_sim${tag}_${i}`)] : [])),
  );
  // The worker reads each account's settings once a batch (one eventually consistent GetItem each); quiet accounts' apart.
  const settingsReads = { quiet: 0, busy: 0 };
  const settings = {
    of: async (accountId: string) => (
      (settingsReads[quiet.has(logPartition(accountId)) ? 'quiet' : 'busy'] += 0.5), { analytics: options.analytics ?? true, ...WATCHING }
    ),
  };
  // Each container's key address watch, as the worker runs it after the batch (its memory is the container's).
  const watches = stores.map(() => addressWatch(metered));
  const notices = lowBalanceNotices(metered);
  const started = performance.now();
  for (const batch of batches) {
    await recordLoneUntil(batch.closedAt);
    clock = batch.closedAt;
    const { failed } = await recordUsageBatch(batch.items, {
      store: stores[batch.poller]!,
      settings,
      addresses: watches[batch.poller]!,
      onWatchError: fail,
      notices,
      onNoticeError: fail,
    });
    if (failed.size) throw new Error(`the simulated worker failed ${failed.size} messages of ${load.name}`);
  }
  await recordLoneUntil(Number.POSITIVE_INFINITY);
  const storeMs = performance.now() - started;
  // The sweep over the simulated hour, once it closed: what finishing it costs, for the hour's calls.
  const [writesBefore, readsBefore] = [metered.writeUnits, metered.readUnits];
  clock = await sweepTheHour(store, start);
  const [sweepWrites, sweepReads] = [metered.writeUnits - writesBefore, metered.readUnits - readsBefore];
  metered.writeUnits = writesBefore;
  metered.readUnits = readsBefore;
  const count = (name: string) => metered.requests.get(name) ?? 0;
  // A batch's settings reads at once, then its low-balance notices' reads at once (`noticeLowBalances`).
  const sequentialRoundTrips =
    2 * batches.length +
    count('PutCommand') / 16 +
    (count('QueryCommand') + count('UpdateCommand')) / 8 +
    count('TransactWriteCommand') +
    count('GetCommand') -
    metered.noticeReads;
  // The drain receives and deletes itself, its lanes at once (a mapping's pollers do it outside the function's time).
  const deletes = batches.reduce((sum, b) => sum + Math.ceil(b.items.length / 10), 0);
  const drainRoundTrips = model.kind === 'drain' ? (receives + deletes) / model.lanes : 0;
  const logItems = [...metered.sizes.values()].filter((s) => s.table === 'usageLogs');
  const logs = logItems.reduce((sum, s) => sum + s.logs, 0);
  if (logs !== events.length) throw new Error(`${load.name}: ${logs} logs stored for ${events.length} events`);
  const holding = logItems.filter((s) => s.logs > 0).length;
  const stored = logItems.reduce((sum, s) => sum + s.bytes + ITEM_OVERHEAD, 0);
  const slots = logItems.filter((s) => isSlot(s.sk) && quiet.has(s.pk));
  // The agents of quiet accounts' slots: put once an hour per account, agent and container, which a run of seconds does not see either.
  const agents = logItems.filter((s) => isAgentKey(s.sk) && quiet.has(s.pk));
  const slotCalls = slots.reduce((sum, s) => sum + s.logs, 0);
  const steady = slotCalls
    ? await steadySlots(
        client,
        load,
        model,
        new Date(start.getTime() + 30 * 86_400_000),
        options.analytics ?? true,
        options.gatewayContainers ?? 1,
        options.legacyForm,
      )
    : undefined;
  const slotShare = slotCalls / events.length;
  // The run's slot calls as they sit once slots fill: lone calls' in day slots, from the day-long sample where it spans
  // the day (day slots fill only over one), else the hour's; the others' in hour slots, from the hour-long sample.
  const daySlotCalls = slots.filter((s) => s.sk.startsWith('N#')).reduce((sum, s) => sum + s.logs, 0);
  const figures = (sample: NonNullable<typeof steady>) => ({
    hour: sample.hourSlots,
    day: [sample.day.daySlots, sample.daySlots].find((f) => f?.calls) ?? sample.hourSlots,
  });
  const slotItemsOf = (sample: NonNullable<typeof steady>) =>
    (slotCalls - daySlotCalls) / Math.max(1e-9, figures(sample).hour.callsPerItem) +
    daySlotCalls / Math.max(1e-9, figures(sample).day.callsPerItem);
  const slotBytesOf = (sample: NonNullable<typeof steady>) =>
    (slotCalls - daySlotCalls) * figures(sample).hour.bytesPerSlotCall + daySlotCalls * figures(sample).day.bytesPerSlotCall;
  // What this run's slot calls of quiet accounts cost, taken off where the hour-long sample prices them.
  const quietSlotUnits = [...metered.slotUnitsByPartition].reduce(
    (sum, [pk, units]) => (quiet.has(pk) ? { writes: sum.writes + units.writes, reads: sum.reads + units.reads } : sum),
    { writes: 0, reads: 0 },
  );
  const sweepReadUnits = sweepReads / (totalRate(load) * 3_600);
  const sweepWriteUnits = sweepWrites / (totalRate(load) * 3_600);
  const loneCalls = loneEvents.length;
  return {
    storedBytesPerCallThisRun: stored / events.length,
    steady,
    events: events.length,
    batches: batches.length,
    loneShare: loneCalls / events.length,
    // The lone calls are quiet accounts' slot calls: priced, like the worker's, from the hour-long sample when there is one.
    loneWriteUnits: steady ? steady.loneWriteUnitsPerCall * slotShare : recorders.metered.writeUnits / events.length,
    loneReadUnits: steady
      ? steady.loneReadUnitsPerCall * slotShare
      : (recorders.metered.readUnits + recorders.settingsReads) / events.length,
    // The sweep list's requests once a day per account and container: from the day-long sample where
    // there is one (a run of minutes meets a quiet account once), else the run's over a day of lone calls.
    loneRoundTrips:
      (steady?.loneRoundTrips ?? (loneCalls ? recorders.roundTrips / loneCalls : 0)) +
      (steady?.day.lists
        ? steady.day.lists.tripsPerLoneCall
        : loneCalls
          ? recorders.markerTrips / ((loneCalls / events.length) * totalRate(load) * 86_400)
          : 0),
    // A run of seconds sees no slot fill up, no quiet account call twice in a drain period, and puts every
    // agent it meets: what the slot calls of quiet accounts cost comes from the hour-long sample.
    workerWriteUnits: steady
      ? (metered.writeUnits - quietSlotUnits.writes) / events.length + steady.workerWriteUnitsPerCall * slotShare
      : metered.writeUnits / events.length,
    addressWatchUnits: metered.addressWatchUnits / events.length,
    workerReadUnits: steady
      ? (metered.readUnits - quietSlotUnits.reads + settingsReads.busy) / events.length + steady.workerReadUnitsPerCall * slotShare
      : (metered.readUnits + settingsReads.busy + settingsReads.quiet) / events.length,
    // Each container marks an account once a day: the quiet accounts' marks from the day-long sample (where
    // an account calling a few times a day pays its entry over those calls), the rest the run's over a day of calls.
    sweepWriteUnits:
      (steady?.day.lists
        ? steady.day.lists.writeUnitsPerCall * slotShare +
          ((metered.sweepListWriteUnits + recorders.metered.sweepListWriteUnits) / (totalRate(load) * 86_400)) * (1 - slotShare)
        : (metered.sweepListWriteUnits + recorders.metered.sweepListWriteUnits) / (totalRate(load) * 86_400)) +
      (steady ? steady.day.sweepWriteUnitsPerCall * slotShare + sweepWriteUnits * (1 - slotShare) : sweepWriteUnits),
    // Calls in slots: what the sweep reads finishing a whole day of them (each hour's probe, their counts), from the day-long sample.
    sweepReadUnits:
      (steady?.day.lists
        ? steady.day.lists.readUnitsPerCall * slotShare +
          ((metered.sweepListReadUnits + recorders.metered.sweepListReadUnits) / (totalRate(load) * 86_400)) * (1 - slotShare)
        : (metered.sweepListReadUnits + recorders.metered.sweepListReadUnits) / (totalRate(load) * 86_400)) +
      (steady ? steady.day.sweepReadUnitsPerCall * slotShare + sweepReadUnits * (1 - slotShare) : sweepReadUnits),
    transactions: metered.transactions / events.length,
    callsPerLogItem: logs / Math.max(1, steady ? holding - slots.length + slotItemsOf(steady) : holding),
    storedBytesPerCall: steady
      ? (stored - [...slots, ...agents].reduce((sum, s) => sum + s.bytes + ITEM_OVERHEAD, 0) + slotBytesOf(steady)) / events.length
      : stored / events.length,
    logPartitionUnitsPerCall: metered.logTableWriteUnits / events.length,
    receivesPerCall: receives / events.length,
    deletesPerCall: deletes / events.length,
    accountsPerBatch:
      batches.reduce((sum, b) => sum + new Set(b.items.map((m) => (JSON.parse(m.body) as UsageEvent).accountId)).size, 0) /
      Math.max(1, batches.length),
    storeMsPerEvent: storeMs / events.length,
    workerMsPerEvent:
      (sequentialRoundTrips * DYNAMO_ROUND_TRIP_MS + drainRoundTrips * MODEL.sqsSendRoundTripMs) / events.length + WORKER_CPU_MS_PER_EVENT,
  };
}

/**
 * What slots hold per call once they fill: the load's accounts that are not busy (below the paging
 * rate), sampled evenly by rank so that an hour of their calls stays near STEADY_CALLS, calling for
 * one whole clock hour through the real store, in the batches the same pollers form. Each account's
 * sequence numbers start at a random point (an account in the middle of its life), so the hour's
 * first and last slots are as partial as in any hour, as is the slot an hour boundary splits.
 * Refused calls are left out: they are single items, priced as the run stored them. Also what the
 * sweep reads finishing that hour, per call.
 */
async function steadySlots(
  client: DynamoDBDocumentClient,
  load: OfferedLoad,
  model: DeliveryModel,
  start: Date,
  analytics: boolean,
  gatewayContainers: number,
  legacyForm?: boolean,
): Promise<NonNullable<StoreFigures['steady']>> {
  const quiet = ratesOf(load)
    .map((rate, account) => ({ rate, account }))
    .filter(({ rate }) => rate > 0 && rate < PAGE_FROM_CALLS_PER_SECOND);
  const every = Math.max(1, Math.ceil(quiet.reduce((sum, a) => sum + a.rate * 3_600, 0) / STEADY_CALLS));
  const chosen = new Set(quiet.filter((_, i) => i % every === Math.floor(every / 2)).map((a) => a.account));
  const hour: OfferedLoad = { ...load, seconds: 3_600, refused: { insufficientCredit: 0, rateLimited: 0 } };
  const sampled = 'perAccountPerMinute' in load.rate ? { ...hour, accounts: chosen.size } : hour;
  const calls = 'perAccountPerMinute' in load.rate ? plannedCalls(sampled) : plannedCalls(hour).filter((call) => chosen.has(call.account));
  const tag = Math.random().toString(36).slice(2, 8);
  const phase = seeded(5);
  const offsets = new Map<string, number>();
  const planned = usageEventsOf(
    calls,
    start,
    (i) => `acc_hour${tag}_${i}`,
    (a, k) => `key_hour${tag}_${a}_${k}`,
  ).map((event) => {
    if (event.seq === undefined) return event;
    if (!offsets.has(event.accountId)) offsets.set(event.accountId, Math.floor(phase() * 1_000_000));
    return { ...event, seq: event.seq + offsets.get(event.accountId)! };
  });
  const lone = legacyForm ? planned.map(() => false) : loneCallsOf(sampled, calls, planned);
  const events = markedLone(planned, lone);
  await fundedAccounts(client, events);
  const { batches } = deliveryBatches(
    events.flatMap((event, i) =>
      lone[i] ? [] : [{ at: Date.parse(event.at), item: { messageId: `h${i}`, body: JSON.stringify(event) } }],
    ),
    model,
  );
  const metered = new MeteredClient(client);
  const recorders = new LoneRecorders(metered, client, gatewayContainers, analytics);
  const loneEvents = events.filter((_, i) => lone[i]);
  let nextLone = 0;
  let clock = start.getTime();
  const stores = workerContainers(metered, model, () => clock);
  const store = stores[0]!;
  let settingsReads = 0;
  const settings = { of: async () => ((settingsReads += 0.5), { analytics, ...WATCHING }) };
  const notices = lowBalanceNotices(metered);
  for (const batch of [...batches, { closedAt: Number.POSITIVE_INFINITY, items: [], poller: 0 }]) {
    while (nextLone < loneEvents.length && Date.parse(loneEvents[nextLone]!.at) < batch.closedAt)
      await recorders.record(loneEvents[nextLone++]!);
    if (!batch.items.length) continue;
    clock = batch.closedAt;
    const { failed } = await recordUsageBatch(batch.items, { store: stores[batch.poller]!, settings, notices, onNoticeError: fail });
    if (failed.size) throw new Error(`the hour of ${load.name}'s quiet accounts failed ${failed.size} messages`);
  }
  const [writesBefore, readsBefore] = [metered.writeUnits, metered.readUnits];
  clock = await sweepTheHour(store, start);
  const slots = [...metered.sizes.values()].filter((s) => s.table === 'usageLogs' && isSlot(s.sk));
  // Admitted calls a full slot had no room for are single items: part of what slots cost.
  const alone = [...metered.sizes.values()].filter((s) => s.table === 'usageLogs' && /^M#.*#S\d+$/.test(s.sk));
  // The agents their slots name, once an hour per account and agent: part of what slots cost too.
  const agents = [...metered.sizes.values()].filter((s) => s.table === 'usageLogs' && isAgentKey(s.sk));
  const slotCalls = slots.reduce((sum, s) => sum + s.logs, 0);
  const bytes = [...slots, ...alone, ...agents].reduce((sum, s) => sum + s.bytes + ITEM_OVERHEAD, 0);
  const logItems = [...metered.sizes.values()].filter((s) => s.table === 'usageLogs');
  return {
    accounts: chosen.size,
    calls: events.length,
    hourSlots: slotFiguresOf(logItems.filter((s) => s.sk.startsWith('M#'))),
    daySlots: slotFiguresOf(logItems.filter((s) => s.sk.startsWith('N#'))),
    slotItems: slots.length,
    callsPerSlot: slotCalls / Math.max(1, slots.length),
    callsPerItem: (slotCalls + alone.length) / Math.max(1, slots.length + alone.length),
    bytesPerSlotCall: bytes / Math.max(1, slotCalls + alone.length),
    largestSlotBytes: Math.max(0, ...slots.map((s) => s.bytes)),
    singlesPerCall: alone.length / Math.max(1, slotCalls + alone.length),
    fullSlotUnitsPerCall: (metered.refusedSlotUnits + alone.length) / events.length,
    agentWriteUnitsPerCall: metered.agentWriteUnits / events.length,
    agentReadUnitsPerCall: metered.agentReadUnits / events.length,
    workerWriteUnitsPerCall: writesBefore / events.length,
    workerReadUnitsPerCall: (readsBefore + settingsReads) / events.length,
    loneShare: loneEvents.length / events.length,
    loneWriteUnitsPerCall: recorders.metered.writeUnits / events.length,
    loneReadUnitsPerCall: (recorders.metered.readUnits + recorders.settingsReads) / events.length,
    loneRoundTrips: loneEvents.length ? recorders.roundTrips / loneEvents.length : 0,
    sweepWriteUnitsPerCall: (metered.writeUnits - writesBefore) / events.length,
    sweepReadUnitsPerCall: (metered.readUnits - readsBefore) / events.length,
    day: await sweptDay(client, load, model, sampleDayOf(start), analytics, gatewayContainers),
  };
}

/**
 * The day the day-long sample of the row whose hour-long sample starts at `start` runs on: the last day
 * of a seven-day period, so the sweep's week pass over lone calls' accounts comes at its end, and a
 * period of the row's own — rows' hour samples start on days of their own, one after another, and the
 * day of each picks the period 2–17 periods on (by its day's number, mod 16), past every row's hour
 * sample. Lists are per day and per period: a sample sharing either with another row's would sweep
 * that row's accounts too, and price their counts as its own.
 */
function sampleDayOf(start: Date): Date {
  const day = Math.floor(start.getTime() / 86_400_000);
  return new Date(weekEndOf(start.getTime() + ((day % 16) + 2) * WEEK_MS) + 1 - 86_400_000);
}

export interface SweptDay {
  accounts: number;
  /** The day's last hours the sample called in: 24, or fewer for an account that calls often enough to be counted each hour. */
  hours: number;
  calls: number;
  /** Items written (the days' singles rollups) and read units, over the day's sweep runs, per call of the sample. */
  sweepWriteUnitsPerCall: number;
  sweepReadUnitsPerCall: number;
  /** Puts of a day's singles rollup per account and day (a period's item, written once a week, a seventh). */
  writesPerAccountDay: number;
  /**
   * The day's sweep lists, per call of the sample, when it spans the whole day: each container that
   * meets an account on a day reads whether it is listed, and the first lists it — an account calling
   * a few times a day pays its entry over those few calls, which a run of minutes (meeting most such
   * accounts once) cannot see. Lone calls list their account on its seven-day period's list: the sample
   * day is a period's last, so the accounts that called earlier in it are listed already. `tripsPerLoneCall`: the gateway's list requests, per lone call.
   */
  lists?: { writeUnitsPerCall: number; readUnitsPerCall: number; tripsPerLoneCall: number };
  /**
   * What slots hold per call over the whole day (day slots fill only over a day: a quiet account's
   * calls after a long silence share its day's slot), as the hour-long sample's figures; absent when
   * the sample spans only the day's last hours.
   */
  slots?: { bytesPerSlotCall: number; callsPerItem: number };
  /** Day slots alone (`N#`, lone calls): they fill only over a day, which the hour-long sample cannot see. */
  daySlots?: SlotFigures;
}

/**
 * What the sweep costs the calls of accounts that are not busy, over a whole UTC day from `day`: a
 * sample of them (evenly by rank, so that a day of their calls stays near STEADY_CALLS; for accounts
 * too busy for a day of one to stay near it, the day's last hours of one) calling
 * through the real store in the batches the same pollers form, and the sweep run once each hour has
 * closed, as its schedule runs it — each listed account's probe of the hour, the hours of many calls
 * counted at once, the others at the day's end with the rest of the day, in one write; lone calls'
 * accounts at the end of their seven-day period, which the sample's day ends. Only the
 * sweep's reads and writes are metered (the sweep lists are priced apart); refused calls are left out
 * (they are single items whose steps are the worker's).
 */
async function sweptDay(
  client: DynamoDBDocumentClient,
  load: OfferedLoad,
  model: DeliveryModel,
  day: Date,
  analytics: boolean,
  gatewayContainers = 1,
): Promise<SweptDay> {
  const quiet = ratesOf(load)
    .map((rate, account) => ({ rate, account }))
    .filter(({ rate }) => rate > 0 && rate < PAGE_FROM_CALLS_PER_SECOND);
  const every = Math.max(1, Math.ceil(quiet.reduce((sum, a) => sum + a.rate * 86_400, 0) / STEADY_CALLS));
  let sample = quiet.filter((_, i) => i % every === Math.floor(every / 2));
  // Fewer accounts than one in `every`: the middle one, for the day's last hours only (as many as keep near
  // STEADY_CALLS, two at least) — such an account calls often enough that each of its hours is counted at its end.
  if (!sample.length) sample = [quiet[Math.floor(quiet.length / 2)]!];
  const chosen = new Set(sample.map((a) => a.account));
  const rate = sample.reduce((sum, a) => sum + a.rate, 0);
  const hours = Math.min(24, Math.max(2, Math.ceil(STEADY_CALLS / (rate * 3_600))));
  const from = new Date(day.getTime() + (24 - hours) * 3_600_000);
  const whole: OfferedLoad = { ...load, seconds: hours * 3_600, refused: { insufficientCredit: 0, rateLimited: 0 } };
  const sampled = 'perAccountPerMinute' in load.rate ? { ...whole, accounts: chosen.size } : whole;
  const calls = 'perAccountPerMinute' in load.rate ? plannedCalls(sampled) : plannedCalls(whole, 7, chosen);
  const tag = Math.random().toString(36).slice(2, 8);
  // Each account's sequence numbers from a random point, as in the hour-long sample: its day's first and last slots as partial as any.
  const phase = seeded(7);
  const offsets = new Map<string, number>();
  const planned = usageEventsOf(
    calls,
    from,
    (i) => `acc_day${tag}_${i}`,
    (a, k) => `key_day${tag}_${a}_${k}`,
  ).map((event) => {
    if (event.seq === undefined) return event;
    if (!offsets.has(event.accountId)) offsets.set(event.accountId, Math.floor(phase() * 1_000_000));
    return { ...event, seq: event.seq + offsets.get(event.accountId)! };
  });
  // Lone calls recorded by the gateway as in the run (their writes are not the sweep's: metered apart).
  const lone = loneCallsOf(sampled, calls, planned);
  const events = markedLone(planned, lone);
  await fundedAccounts(client, events);
  const { batches } = deliveryBatches(
    events.flatMap((event, i) =>
      lone[i] ? [] : [{ at: Date.parse(event.at), item: { messageId: `d${i}`, body: JSON.stringify(event) } }],
    ),
    model,
  );
  const metered = new MeteredClient(client);
  const recorders = new LoneRecorders(metered, client, gatewayContainers, analytics);
  const loneEvents = events.filter((_, i) => lone[i]);
  // The day is its seven-day period's last: an account whose lone calls began on an earlier day of it is on
  // the period's list already (unmetered: its entry was paid that day, once a week) — with the chance that it
  // called in those six days. Containers still check it, once a day each as they meet the account.
  const listedBefore = seeded(11);
  const rates = ratesOf(load);
  let prelisted = 0;
  for (const accountId of new Set(loneEvents.map((event) => event.accountId))) {
    const rate = rates[Number(accountId.slice(accountId.lastIndexOf('_') + 1))] ?? sample[0]!.rate;
    if (listedBefore() < 1 - Math.exp(-rate * 6 * 86_400)) {
      await client.send(new PutCommand({ TableName: 'usageLogs', Item: sweepWeekMarkerItem(day.getTime(), accountId) }));
      prelisted++;
    }
  }
  let nextLone = 0;
  let clock = from.getTime();
  const stores = workerContainers(metered, model, () => clock);
  const sweeper = new DynamoDbUsageStore(metered.asClient(), {
    usageLogs: 'usageLogs',
    usageAggregates: 'usageAggregates',
    ledger: 'ledger',
  });
  const settings = { of: async () => ({ analytics }) };
  let [writes, reads, puts, sweptThrough] = [0, 0, 0, from.getTime()];
  const weekPuts = () => metered.weekPassPuts.length;
  const sweepUpTo = async (now: number) => {
    // Each run finishes the hours closed since the last: one an hour, as the schedule (every few minutes) does.
    for (let hourEnd = sweptThrough + 3_600_000; hourEnd + STEP_LAG_MS <= now; hourEnd += 3_600_000) {
      const [w, r, p] = [metered.writeUnits, metered.readUnits, metered.requests.get('PutCommand') ?? 0];
      await sweeper.finishHours(hourEnd + STEP_LAG_MS - 1, hourEnd + STEP_LAG_MS);
      [writes, reads] = [writes + metered.writeUnits - w, reads + metered.readUnits - r];
      puts += (metered.requests.get('PutCommand') ?? 0) - p;
      sweptThrough = hourEnd;
    }
  };
  for (const batch of [...batches, { closedAt: day.getTime() + 86_400_000, items: [], poller: 0 }]) {
    while (nextLone < loneEvents.length && Date.parse(loneEvents[nextLone]!.at) < batch.closedAt) {
      await sweepUpTo(Date.parse(loneEvents[nextLone]!.at));
      await recorders.record(loneEvents[nextLone++]!);
    }
    await sweepUpTo(batch.closedAt);
    if (!batch.items.length) continue;
    clock = batch.closedAt;
    const { failed } = await recordUsageBatch(batch.items, { store: stores[batch.poller]!, settings });
    if (failed.size) throw new Error(`the day of ${load.name}'s quiet accounts failed ${failed.size} messages`);
  }
  await sweepUpTo(day.getTime() + 86_400_000 + STEP_LAG_MS);
  const held = [...metered.sizes.values()].filter(
    (s) => s.table === 'usageLogs' && (isSlot(s.sk) || isAgentKey(s.sk) || /^M#.*#S\d+$/.test(s.sk)),
  );
  const slotCalls = held.reduce((sum, s) => sum + (isAgentKey(s.sk) ? 0 : isSlot(s.sk) ? s.logs : 1), 0);
  const logItems = held.filter((s) => !isAgentKey(s.sk)).length;
  return {
    accounts: chosen.size,
    hours,
    calls: events.length,
    // The week pass writes each listed account's period item once a week, holding a week of its days: priced at its
    // bytes with seven times the entries the sample's one day gave it, once for seven days of calls.
    sweepWriteUnitsPerCall:
      (writes -
        metered.weekPassWriteUnits +
        metered.weekPassPuts.reduce((sum, { bytes, entries }) => sum + Math.max(1, Math.ceil((bytes + 6 * entries) / 1024)), 0) / 7) /
      events.length,
    // The week pass reads each listed account once a week, over a week of its days: each of its queries is
    // priced at seven times the bytes the sample's one day gave it, once for seven days of calls.
    sweepReadUnitsPerCall:
      (reads -
        metered.weekPassReadUnits +
        metered.weekPassQueries.reduce(
          (sum, { bytes, consistent }) => sum + Math.max(1, Math.ceil((7 * bytes) / 4096)) * (consistent ? 1 : 0.5),
          0,
        ) /
          7) /
      events.length,
    writesPerAccountDay: (puts - weekPuts() + weekPuts() / 7) / Math.max(1, chosen.size),
    ...(hours === 24
      ? {
          // An entry listed on an earlier day of the period was paid then: a write (and its round trip) a week, a seventh a day.
          lists: {
            writeUnitsPerCall: (metered.sweepListWriteUnits + recorders.metered.sweepListWriteUnits + prelisted / 7) / events.length,
            readUnitsPerCall: (metered.sweepListReadUnits + recorders.metered.sweepListReadUnits) / events.length,
            tripsPerLoneCall: loneEvents.length ? (recorders.markerTrips + prelisted / 7) / loneEvents.length : 0,
          },
        }
      : {}),
    ...(hours === 24 && slotCalls
      ? {
          slots: {
            bytesPerSlotCall: held.reduce((sum, s) => sum + s.bytes + ITEM_OVERHEAD, 0) / slotCalls,
            callsPerItem: slotCalls / Math.max(1, logItems),
          },
          daySlots: slotFiguresOf(held.filter((s) => s.sk.startsWith('N#'))),
        }
      : {}),
  };
}
