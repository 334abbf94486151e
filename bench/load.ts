import { isLoneCall } from '../lambdas/metering/domain/lone-calls';
import type { UsageEvent } from '../lambdas/metering/domain/model';

/**
 * Traffic as an offered load: how many accounts, how often each calls, with how many keys, from
 * which paths and user agents, and how many calls are refused. The same load yields the same
 * calls (a seeded generator), each with the time it is due: the end-to-end driver sends them at
 * those times (a slow machine runs longer, never differently) and the simulation hands them to the
 * real usage store in the batches Lambda's pollers would form.
 */
export interface OfferedLoad {
  name: string;
  accounts: number;
  /** Calls per account per minute: the same for all, or a Zipf tail (account i calls ∝ 1 / i^s) of a total rate. */
  rate: { perAccountPerMinute: number } | { zipf: number; totalPerSecond: number };
  keysPerAccount: number;
  /** Share of calls refused for credit (402) and for the rate limit (429): logged and counted, not debited. */
  refused: { insufficientCredit: number; rateLimited: number };
  /** How long the load is offered (simulated seconds; the end-to-end run takes as long in real time). */
  seconds: number;
}

export const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0',
  'python-requests/2.32.3',
  'axios/1.7.7',
];
export const PATHS = [
  '/v1/api/echo/customers/cus_8f2a91/invoices?limit=20&status=open',
  '/v1/api/echo/search?q=wireless+noise+cancelling+headphones&page=2',
  '/v1/api/echo/orders/ord_20261125_004411/items',
  '/v1/api/echo/ping',
];

/** A seeded generator (LCG), so a load is the same calls on every run. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** Calls per second of each account of the load. */
export function ratesOf(load: OfferedLoad): number[] {
  if ('perAccountPerMinute' in load.rate)
    return Array.from({ length: load.accounts }, () => (load.rate as { perAccountPerMinute: number }).perAccountPerMinute / 60);
  const { zipf, totalPerSecond } = load.rate;
  const weights = Array.from({ length: load.accounts }, (_, i) => 1 / (i + 1) ** zipf);
  const sum = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => (totalPerSecond * w) / sum);
}

export const totalRate = (load: OfferedLoad) => ratesOf(load).reduce((a, b) => a + b, 0);

/** One call of the load: who makes it, with which key, path and agent, when, and how it is answered. */
export interface PlannedCall {
  account: number;
  key: number;
  path: string;
  userAgent: string;
  /** Seconds after the load starts. */
  dueAt: number;
  status: 200 | 402 | 429;
}

/**
 * The calls of a load in time order. A fixed rate is a call every 1/rate seconds from a random
 * phase, ±10 % jitter; a Zipf tail is Poisson arrivals at each account's rate. Each key keeps one
 * user agent, as a deployed client does. `only`: the calls of these accounts alone (a sample).
 */
export function plannedCalls(load: OfferedLoad, seed = 7, only?: Set<number>): PlannedCall[] {
  const random = seeded(seed);
  const calls: PlannedCall[] = [];
  const fixed = 'perAccountPerMinute' in load.rate;
  ratesOf(load).forEach((rate, account) => {
    if (rate <= 0 || (only && !only.has(account))) return;
    let t = fixed ? random() / rate : -Math.log(1 - random()) / rate;
    while (t < load.seconds) {
      const key = Math.floor(random() * load.keysPerAccount);
      const roll = random();
      const status =
        roll < load.refused.insufficientCredit ? 402 : roll < load.refused.insufficientCredit + load.refused.rateLimited ? 429 : 200;
      calls.push({
        account,
        key,
        path: PATHS[Math.floor(random() * PATHS.length)]!,
        userAgent: USER_AGENTS[(account * 7 + key) % USER_AGENTS.length]!,
        dueAt: t,
        status,
      });
      t += fixed ? (1 + (random() - 0.5) * 0.2) / rate : -Math.log(1 - random()) / rate;
    }
  });
  return calls.sort((a, b) => a.dueAt - b.dueAt);
}

/**
 * The usage events the gateway would queue for these calls, as it builds them: sequence numbers
 * and the minute's count (`used`) from the admit write for admitted calls, none for refused ones.
 */
export function usageEventsOf(
  calls: PlannedCall[],
  start: Date,
  accountIds: (i: number) => string,
  keyIds: (account: number, key: number) => string,
  seed = 11,
): UsageEvent[] {
  const random = seeded(seed);
  const seqs = new Map<number, number>();
  const minutes = new Map<number, { minute: number; used: number }>();
  return calls.map((call, i) => {
    const at = new Date(start.getTime() + call.dueAt * 1000);
    const admitted = call.status === 200;
    const minute = Math.floor(at.getTime() / 60_000);
    const window = minutes.get(call.account);
    const used = admitted ? (window?.minute === minute ? window.used + 1 : 1) : window?.minute === minute ? window.used : 0;
    minutes.set(call.account, { minute, used });
    const seq = admitted ? (seqs.get(call.account) ?? 0) + 1 : undefined;
    if (seq) seqs.set(call.account, seq);
    const upstreamLatencyMs = admitted ? Math.round(8 + random() * 40) : undefined;
    return {
      v: 1 as const,
      requestId: `req_${start.getTime().toString(36)}_${i.toString(36)}_${Math.floor(random() * 1e9).toString(36)}`,
      accountId: accountIds(call.account),
      keyId: keyIds(call.account, call.key),
      product: 'echo',
      method: 'GET',
      path: call.path.replace(/^\/v1\/api\/echo/, '').split('?')[0]!,
      status: call.status,
      outcome: admitted ? ('ok' as const) : ('rejected' as const),
      priceMicroCredits: 1_000,
      latencyMs: (upstreamLatencyMs ?? 0) + Math.round(3 + random() * 6),
      ...(upstreamLatencyMs !== undefined ? { upstreamLatencyMs } : {}),
      requestBytes: 0,
      responseBytes: admitted ? 300 + Math.floor(random() * 200) : 120,
      ip: `203.0.113.${(call.account * 13 + call.key) % 250}`,
      userAgent: call.userAgent,
      at: at.toISOString(),
      balanceMicro: 1e12 - (seq ?? 0) * 1_000,
      // The low-balance notice's state as the admit write returns it with the balance item: armed, far above the threshold.
      noticeArmed: true,
      ...(seq ? { seq, used } : {}),
    };
  });
}

/**
 * Which of these events the gateway records itself (lone calls: admitted after LONE_CALL_SILENCE_MS or
 * more of its account's silence, `isLoneCall`) instead of queueing. The silence before an account's
 * first admitted call of the plan is what its traffic puts there in steady state — its fixed interval
 * (±10 %), or an exponential draw at its rate for a Zipf tail's Poisson arrivals — never "none": a
 * load's accounts have called before it starts.
 */
export function loneCallsOf(load: OfferedLoad, calls: PlannedCall[], events: UsageEvent[], seed = 13): boolean[] {
  const random = seeded(seed);
  const rates = ratesOf(load);
  const fixed = 'perAccountPerMinute' in load.rate;
  const previous = new Map<number, number>();
  return events.map((event, i) => {
    if (event.seq === undefined) return false;
    const { account } = calls[i]!;
    const at = Date.parse(event.at);
    const rate = rates[account]!;
    const before = previous.get(account) ?? at - 1000 * (fixed ? (1 + (random() - 0.5) * 0.2) / rate : -Math.log(1 - random()) / rate);
    previous.set(account, at);
    return isLoneCall(new Date(at), new Date(before).toISOString());
  });
}

/** The events as the gateway sends or records them: each lone call marked `lone`, which keeps it in a slot of its day. */
export const markedLone = (events: UsageEvent[], lone: boolean[]): UsageEvent[] =>
  events.map((event, i) => (lone[i] ? { ...event, lone: true as const } : event));

/** How Lambda's SQS event source cuts a stream of messages into batches. */
export interface PollerModel {
  kind?: 'eventSource';
  pollers: number;
  batchSize: number;
  windowSeconds: number;
  /** One ReceiveMessage's round trip: a poller takes what arrived meanwhile, up to ten, in its next receive. */
  receiveRoundTripMs: number;
}

/**
 * The batches `pollers` concurrent pollers would form from messages sent at these times: each
 * message is taken by one poller at random; a poller's batch opens with its first message and
 * closes at the batch size or when the window has passed. Receives are counted as a poller makes
 * them: one per round trip that found messages, at most ten each. Each batch names its poller: the
 * worker container it is invoked in, for what a container remembers between batches.
 */
export function pollBatches<T>(
  messages: { at: number; item: T }[],
  model: PollerModel,
  seed = 3,
): { batches: { closedAt: number; items: T[]; poller: number }[]; receives: number } {
  const random = seeded(seed);
  const open = Array.from({ length: model.pollers }, (_, poller) => ({
    poller,
    items: [] as T[],
    openedAt: 0,
    lastReceiveAt: -Infinity,
    inReceive: 0,
  }));
  const batches: { closedAt: number; items: T[]; poller: number }[] = [];
  let receives = 0;
  const windowMs = model.windowSeconds * 1000;
  const close = (p: (typeof open)[number], at: number) => {
    if (p.items.length) batches.push({ closedAt: at, items: p.items, poller: p.poller });
    p.items = [];
  };
  for (const { at, item } of messages) {
    for (const p of open) if (p.items.length && at - p.openedAt >= windowMs) close(p, p.openedAt + windowMs);
    const p = open[Math.floor(random() * open.length)]!;
    if (!p.items.length) p.openedAt = at;
    if (at - p.lastReceiveAt >= model.receiveRoundTripMs || p.inReceive >= 10) {
      receives++;
      p.lastReceiveAt = at;
      p.inReceive = 0;
    }
    p.inReceive++;
    p.items.push(item);
    if (p.items.length >= model.batchSize) close(p, at);
  }
  for (const p of open) close(p, p.openedAt + windowMs);
  return { batches: batches.sort((a, b) => a.closedAt - b.closedAt), receives };
}

/** How the usage drain cuts a stream of messages into batches: a run every `everySeconds`, on the clock. */
export interface DrainModel {
  kind: 'drain';
  everySeconds: number;
  /** Events a batch (one `recordUsageBatch`). */
  batchSize: number;
  /** Receives a run keeps going at once; each ends on a receive that finds nothing sent before the run. */
  lanes: number;
}

/** How usage events reach the worker: Lambda's event source mapping, or the scheduled drain. */
export type DeliveryModel = PollerModel | DrainModel;

/**
 * The batches the scheduled drain forms from messages sent at these times: each run (every
 * `everySeconds`, on the clock, as an EventBridge rate rule fires) takes the messages sent before it
 * started, in batches of up to `batchSize`, each received ten at a time. Each of its lanes ends on one
 * more receive (nothing sent before the run is left): counted with the rest. One container, reused
 * by each run, as Lambda keeps a function called every minute warm.
 */
export function drainBatches<T>(
  messages: { at: number; item: T }[],
  model: DrainModel,
): { batches: { closedAt: number; items: T[]; poller: number }[]; receives: number } {
  const period = model.everySeconds * 1000;
  const batches: { closedAt: number; items: T[]; poller: number }[] = [];
  let receives = 0;
  let next = 0;
  for (let runAt = Math.floor((messages[0]?.at ?? 0) / period + 1) * period; next < messages.length; runAt += period) {
    const taken: T[] = [];
    while (next < messages.length && messages[next]!.at < runAt) taken.push(messages[next++]!.item);
    for (let from = 0; from < taken.length; from += model.batchSize) {
      const items = taken.slice(from, from + model.batchSize);
      batches.push({ closedAt: runAt, items, poller: 0 });
      receives += Math.ceil(items.length / 10);
    }
    receives += model.lanes;
  }
  return { batches, receives };
}

/** The batches and receives of either delivery. */
export function deliveryBatches<T>(
  messages: { at: number; item: T }[],
  model: DeliveryModel,
): { batches: { closedAt: number; items: T[]; poller: number }[]; receives: number } {
  return model.kind === 'drain' ? drainBatches(messages, model) : pollBatches(messages, model);
}

/** Worker containers a delivery keeps: one a poller, or the drain's one. */
export const containersOf = (model: DeliveryModel): number => (model.kind === 'drain' ? 1 : model.pollers);
