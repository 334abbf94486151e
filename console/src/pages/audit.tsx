import { useState } from 'preact/hooks';
import { api, call, formatTime, type Schemas } from '../api/client';
import type { paths } from '../api/openapi';
import { ACTION_KINDS, changedFields, describeAction, describeActor, otherTargets } from '../audit-events';
import { ErrorNotice, Field, Form, Loading, Page, Pager, Select, TableScroll, toIso, useLoad, useQueryState } from '../components/ui';

type AuditQuery = NonNullable<paths['/v1/account/audit']['get']['parameters']['query']>;

const ACTORS: [string, string][] = [
  ['', 'Anyone'],
  ['account', 'You'],
  ['operator', 'OmnAPI staff'],
  ['system', 'OmnAPI, automatically'],
];
const KINDS: [string, string][] = [['', 'Everything'], ...ACTION_KINDS];

/** One event's changes: field, before → after; secrets hidden and long values cut by `changedFields`. */
function Changes({ change }: { change: unknown }) {
  const { fields, more } = changedFields(change);
  if (fields.length === 0) return null;
  return (
    <ul class="changes">
      {fields.map((f) => (
        <li key={f.field}>
          <span class="field-name">
            <bdi>{f.field}</bdi>:
          </span>{' '}
          {f.before !== undefined && (
            <>
              <del>
                <span class="sr-only">before: </span>
                <bdi>{f.before}</bdi>
              </del>{' '}
              <span aria-hidden="true">→</span>{' '}
            </>
          )}
          {f.after !== undefined ? (
            <ins>
              <span class="sr-only">{f.before !== undefined ? 'after: ' : 'set to: '}</span>
              <bdi>{f.after}</bdi>
            </ins>
          ) : (
            <span>removed</span>
          )}
        </li>
      ))}
      {more > 0 && <li>and {more} more field(s)</li>}
    </ul>
  );
}

function EventRow({ event }: { event: Schemas['AuditEvent'] }) {
  const targets = otherTargets(event);
  return (
    <tr>
      <th scope="row">
        <time dateTime={event.at}>{formatTime(event.at)}</time>
      </th>
      <td class="free-text">
        <strong>{describeAction(event.action)}</strong>
        {targets.length > 0 && (
          <div class="mono">
            {targets.map((t) => (
              <div key={t}>
                <bdi>{t}</bdi>
              </div>
            ))}
          </div>
        )}
        {event.reason && (
          <p class="hint">
            Reason: <bdi>{event.reason}</bdi>
          </p>
        )}
        <Changes change={event.change} />
      </td>
      <td>{describeActor(event.actor)}</td>
      <td class="free-text">
        {event.context?.ip ? <span class="mono">{event.context.ip}</span> : <span class="hint">—</span>}
        {event.context?.userAgent && (
          <div class="ua">
            <bdi>{event.context.userAgent}</bdi>
          </div>
        )}
      </td>
    </tr>
  );
}

/**
 * The account's audit trail: who did what to it, when and from where — the holder's own actions and
 * OmnAPI staff's — newest first, paged with the API's cursors. The filters run in the API, which reads
 * a bounded number of events per page: a filtered page may be short, even empty, with older pages left.
 */
export function Audit() {
  const [query, setQuery] = useQueryState();
  const [from, setFrom] = useState(query.get('from') ?? '');
  const [to, setTo] = useState(query.get('to') ?? '');
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const kind = KINDS.some(([v]) => v === query.get('action')) ? (query.get('action') ?? '') : '';
  const actor = ACTORS.some(([v]) => v === query.get('actor')) ? (query.get('actor') ?? '') : '';
  const filters: AuditQuery = {
    ...(kind ? { action: kind as AuditQuery['action'] } : {}),
    ...(actor ? { actor: actor as AuditQuery['actor'] } : {}),
    ...(toIso(query.get('from') ?? '') ? { from: toIso(query.get('from')!) } : {}),
    ...(toIso(query.get('to') ?? '') ? { to: toIso(query.get('to')!) } : {}),
  };
  const filtered = Object.keys(filters).length > 0;
  // Each answer carries the request it answers: while another loads, the last one is not shown under the new filters or page.
  const request = `${query.toString()}#${cursor ?? ''}`;
  const events = useLoad(
    async () => ({
      request,
      page: await call(api.GET('/v1/account/audit', { params: { query: { limit: 25, ...filters, ...(cursor ? { cursor } : {}) } } })),
    }),
    [request],
  );
  const change = (changes: Record<string, string | undefined>) => {
    setCursors([]);
    setQuery(changes);
  };
  const page = events.data?.request === request ? events.data.page : undefined;
  return (
    <Page
      title="Audit trail"
      intro="Everything done to your account — by you, by OmnAPI staff and by the platform itself — newest first. Each event is chained to the one before it, so none can be altered or removed unseen."
    >
      <Form label="Audit filters" onSubmit={() => change({ from, to })}>
        <div class="filters">
          <Select label="What" value={kind} onValue={(v) => change({ action: v })} options={KINDS} />
          <Select label="Who" value={actor} onValue={(v) => change({ actor: v })} options={ACTORS} />
          <Field label="From" type="datetime-local" value={from} onValue={setFrom} />
          <Field label="To" type="datetime-local" value={to} onValue={setTo} />
          <button type="submit">Apply</button>
        </div>
      </Form>
      {events.error ? (
        <>
          <ErrorNotice error={events.error} />
          <button type="button" class="secondary" onClick={() => events.reload()}>
            Try again
          </button>
        </>
      ) : !page ? (
        <Loading />
      ) : page.events.length === 0 ? (
        <p role="status">
          {page.nextCursor
            ? 'No matching events among those searched so far. “Older” searches further back.'
            : filtered
              ? 'No events match these filters.'
              : cursors.length
                ? 'No older events.'
                : 'No events yet.'}
        </p>
      ) : (
        <TableScroll label="Audit events">
          <table class="audit">
            <caption>
              Audit events, newest first{cursors.length ? ` (page ${cursors.length + 1})` : ''}. Times are in your time zone.
            </caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">What</th>
                <th scope="col">Who</th>
                <th scope="col">From</th>
              </tr>
            </thead>
            <tbody>
              {page.events.map((event) => (
                <EventRow key={event.eventId} event={event} />
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <Pager label="Audit pages" cursors={cursors} next={page?.nextCursor} onCursors={setCursors} />
    </Page>
  );
}
