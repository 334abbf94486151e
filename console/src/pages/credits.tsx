import { useEffect, useState } from 'preact/hooks';
import { Link, useSearch } from 'wouter-preact';
import { api, call, formatCredits, formatDecimal, formatMoney, formatNumber, formatTime, type Schemas } from '../api/client';
import { BusyButton, ErrorNotice, Loading, Notice, Page, Pager, TableScroll, useAction, useLoad } from '../components/ui';

const ENTRY_TEXT: Record<Schemas['LedgerEntry']['type'], string> = {
  grant: 'Grant',
  purchase: 'Purchase',
  refund: 'Refund',
  clawback: 'Refund: credits taken back',
  hold: 'Dispute opened: credits held',
  release: 'Refund failed: credits given back',
  adjustment: 'Adjustment',
};

/** An entry's kind in words: a dispute's clawback or release says it ended the dispute, and how. */
function entryText(entry: Schemas['LedgerEntry']): string {
  if (entry.stripe?.disputeId && entry.type === 'clawback') return 'Dispute lost: credits taken back';
  if (entry.stripe?.disputeId && entry.type === 'release') return 'Dispute won: held credits given back';
  return ENTRY_TEXT[entry.type];
}

const DISPUTE_TEXT: Record<Schemas['Dispute']['status'], string> = {
  open: 'Open: its share of the credits is held until the bank decides',
  won: 'Won: the held credits were given back',
  lost: 'Lost: its share of the credits was taken back for good',
};

/**
 * The payments a bank dispute was opened on, and how each stands: an open one says how many credits
 * it holds (they are not in the balance) and that the bank decides; a decided one, how it ended.
 */
function Disputes({ balance }: { balance: { heldMicro: number; disputes: Schemas['Dispute'][] } }) {
  if (balance.disputes.length === 0) return null;
  const open = balance.disputes.filter((d) => d.status === 'open');
  return (
    <section aria-labelledby="disputes-title">
      <h2 id="disputes-title">Disputed payments</h2>
      {open.length > 0 && (
        <Notice kind="warning">
          {open.length === 1 ? 'A payment is disputed' : `${formatNumber(open.length)} payments are disputed`} with your bank or card
          issuer: <strong data-testid="held">{formatCredits(balance.heldMicro)}</strong> credits are held, outside your balance, until it is
          decided. We mail you the outcome. Questions: support@omnapi.com.
        </Notice>
      )}
      <TableScroll label="Disputed payments">
        <table>
          <caption>Disputed payments</caption>
          <thead>
            <tr>
              <th scope="col">Payment</th>
              <th scope="col">Disputed</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {balance.disputes.map((d) => (
              <tr key={d.disputeId}>
                <th scope="row">
                  {d.pack} · {formatTime(d.paidAt)}
                </th>
                <td>{formatMoney(d.amountMinor, d.currency)}</td>
                <td data-testid="dispute-status">{DISPUTE_TEXT[d.status]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </section>
  );
}

export function Credits() {
  const balance = useLoad(() => call(api.GET('/v1/billing/balance')));
  const packs = useLoad(() => call(api.GET('/v1/billing/packs')));
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const ledger = useLoad(
    () => call(api.GET('/v1/billing/ledger', { params: { query: { limit: 25, ...(cursor ? { cursor } : {}) } } })),
    [cursor],
  );
  const [buying, setBuying] = useState<string | undefined>(undefined);
  const buy = useAction(async (pack: string) => {
    setBuying(pack);
    const checkout = await call(api.POST('/v1/billing/checkout', { body: { pack } }));
    window.location.assign(checkout.url);
  });
  const portal = useAction(async () => {
    window.location.assign((await call(api.GET('/v1/billing/portal'))).url);
  });
  return (
    <Page
      title="Credits"
      intro="Calls are paid from prepaid credits. Buying goes through Stripe Checkout; we never see or store card data."
    >
      <p class="balance">
        Balance: <strong data-testid="balance">{balance.data ? formatCredits(balance.data.balanceMicro) : '…'}</strong> credits
      </p>
      <ErrorNotice error={balance.error ?? packs.error} />
      {balance.data && <Disputes balance={balance.data} />}
      <h2>Buy credits</h2>
      {!packs.data ? (
        <Loading />
      ) : (
        <ul class="packs">
          {packs.data.packs.map((pack) => (
            <li key={pack.id} class="card">
              <h3>{pack.name}</h3>
              <p>
                {formatNumber(pack.credits)} credits for {formatMoney(pack.priceMinor, pack.currency)}
              </p>
              <BusyButton
                busy={buy.busy && buying === pack.id}
                busyLabel="Opening checkout…"
                onClick={() => buy.run(pack.id)}
                aria-label={`Buy ${pack.name}`}
              >
                Buy
              </BusyButton>
            </li>
          ))}
        </ul>
      )}
      <ErrorNotice error={buy.error} />
      <p>
        <BusyButton class="secondary" busy={portal.busy} busyLabel="Opening Stripe…" onClick={() => portal.run()}>
          Payment methods and invoices (Stripe)
        </BusyButton>
      </p>
      <ErrorNotice error={portal.error} />
      <h2>Ledger and receipts</h2>
      <p class="hint">Money movements: purchases, grants, refunds and holds. Each call's charge is in Usage.</p>
      <ErrorNotice error={ledger.error} />
      {!ledger.data ? (
        <Loading />
      ) : ledger.data.entries.length === 0 ? (
        <p>No entries yet.</p>
      ) : (
        <TableScroll label="Ledger">
          <table>
            <caption>Ledger</caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Type</th>
                <th scope="col">Credits</th>
                <th scope="col">Paid</th>
                <th scope="col">Reference</th>
              </tr>
            </thead>
            <tbody>
              {ledger.data.entries.map((entry) => (
                <tr key={entry.entryId}>
                  <th scope="row">{formatTime(entry.at)}</th>
                  <td>
                    {entryText(entry)}
                    {entry.pack ? ` · ${entry.pack}` : ''}
                  </td>
                  <td class={entry.amountMicro < 0 ? 'neg' : 'pos'}>{formatCredits(entry.amountMicro)}</td>
                  <td>
                    {entry.stripe?.amountMinor !== undefined && entry.stripe.currency
                      ? formatMoney(entry.stripe.amountMinor, entry.stripe.currency)
                      : '—'}
                  </td>
                  <td class="mono free-text">{entry.stripe?.paymentIntentId ?? entry.stripe?.checkoutSessionId ?? entry.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <Pager label="Ledger pages" cursors={cursors} next={ledger.data?.nextCursor} onCursors={setCursors} />
    </Page>
  );
}

/** The real state of a checkout session, for the signed-in account only (404 for anyone else's), followed until it settles. */
function useCheckout(sessionId: string) {
  const [state, setState] = useState<Schemas['CheckoutStatus'] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    if (!sessionId) return;
    let stop = false;
    let timer: ReturnType<typeof setTimeout>;
    const poll = async (attempt: number) => {
      try {
        const current = await call(api.GET('/v1/billing/checkout/{sessionId}', { params: { path: { sessionId } } }));
        if (stop) return;
        setState(current);
        // The webhook that credits a purchase can land a moment after the buyer returns.
        const settling = current.status === 'pending' || (current.status === 'paid' && !current.credited);
        if (settling && attempt < 60) timer = setTimeout(() => poll(attempt + 1), 1000);
      } catch (caught) {
        if (!stop) setError(caught);
      }
    };
    void poll(0);
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [sessionId]);
  return { state, error };
}

function CheckoutResult({ sessionId, returned }: { sessionId: string; returned: 'done' | 'cancelled' }) {
  const { state, error } = useCheckout(sessionId);
  if (!sessionId) return <Notice kind="error">This page needs the checkout session from the payment page.</Notice>;
  if (error) return <ErrorNotice error={error} />;
  if (!state) return <Loading />;
  const what = state.packName ?? state.pack ?? 'credits';
  const paid = state.amountMinor !== null && state.currency ? ` (${formatMoney(state.amountMinor, state.currency)})` : '';
  if (state.status === 'paid' && state.credited) {
    return (
      <Notice kind="success">
        Payment received for {what}
        {paid}: {formatDecimal(String(state.credits))} credits were added to your balance. The receipt is in your mail and in the ledger.
      </Notice>
    );
  }
  if (state.status === 'paid')
    return (
      <Notice>
        Payment received for {what}
        {paid}; the credits are being added. This page updates by itself.
      </Notice>
    );
  if (state.status === 'expired') return <Notice kind="warning">This checkout expired before it was paid; nothing was charged.</Notice>;
  if (state.status === 'cancelled') return <Notice>This checkout was cancelled; nothing was charged.</Notice>;
  return returned === 'cancelled' ? (
    <Notice>You left the payment page; nothing was charged.</Notice>
  ) : (
    <Notice>We are waiting for the payment to be confirmed. This page updates by itself.</Notice>
  );
}

/** Where checkout returns after paying: the real result of that session, not a promise. */
export function CheckoutDone() {
  const sessionId = new URLSearchParams(useSearch()).get('session_id') ?? '';
  return (
    <Page title="Your purchase">
      <CheckoutResult sessionId={sessionId} returned="done" />
      <p>
        <Link href="/credits">Back to credits</Link>
      </p>
    </Page>
  );
}

export function CheckoutCancelled() {
  const sessionId = new URLSearchParams(useSearch()).get('session_id') ?? '';
  return (
    <Page title="Checkout cancelled">
      {sessionId ? (
        <CheckoutResult sessionId={sessionId} returned="cancelled" />
      ) : (
        <Notice>You left the payment page; nothing was charged.</Notice>
      )}
      <p>
        <Link href="/credits">Back to credits</Link>
      </p>
    </Page>
  );
}
