import { useEffect, useState } from 'preact/hooks';
import { Link, useLocation, useParams, useSearch } from 'wouter-preact';
import { ApiError, api, call, displayEmail, formatNumber, formatTime, formatTimesIn, type Schemas } from '../api/client';
import {
  BusyButton,
  ErrorNotice,
  Field,
  Form,
  INCOMPLETE_LINK,
  Loading,
  Notice,
  Page,
  TableScroll,
  useAction,
  useLoad,
} from '../components/ui';
import { historyStages } from '../history';
import { useSession } from '../session';

type RequestType = Schemas['PrivacyRequest']['type'];
type RequestStatus = Schemas['PrivacyRequest']['status'];

const TYPE_TEXT: Record<RequestType, string> = {
  access: 'Copy of my data (access)',
  portability: 'My data in a portable format',
  deletion: 'Delete my account',
  correction: 'Correct my data',
  objection: 'Object to processing',
};

const STATUS_TEXT: Record<RequestStatus, string> = {
  received: 'Received',
  awaiting_confirmation: 'Waiting for your confirmation (see your mail)',
  confirmed: 'Confirmed',
  in_progress: 'In progress',
  needs_manual_action: 'With a person on our team',
  completed: 'Completed',
  failed: 'Failed',
  expired: 'Expired',
  cancelled: 'Cancelled',
};

function RequestList({ requests }: { requests: Schemas['PrivacyRequest'][] }) {
  if (requests.length === 0) return <p>You have made no privacy requests.</p>;
  return (
    <TableScroll label="Your privacy requests">
      <table>
        <caption>Your privacy requests</caption>
        <thead>
          <tr>
            <th scope="col">Request</th>
            <th scope="col">Status</th>
            <th scope="col">Received</th>
            <th scope="col">Due by</th>
          </tr>
        </thead>
        <tbody>
          {requests.map((r) => (
            <tr key={r.requestId}>
              <th scope="row">
                <Link href={`/privacy/requests/${r.requestId}`}>{TYPE_TEXT[r.type]}</Link>
              </th>
              <td>{STATUS_TEXT[r.status]}</td>
              <td>{formatTime(r.receivedAt)}</td>
              <td>{formatTime(r.dueAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

export function PrivacyCentre() {
  const requests = useLoad(() => call(api.GET('/v1/privacy/requests')));
  const [, navigate] = useLocation();
  const [correction, setCorrection] = useState('');
  const [objection, setObjection] = useState('');
  const [password, setPassword] = useState('');
  // Which request was asked for last: its refusal is shown beside its own button, where the reader is.
  const [asked, setAsked] = useState<RequestType | undefined>(undefined);
  const errorOf = (...types: RequestType[]) => (asked && types.includes(asked) ? open.error : undefined);
  const busyWith = (type: RequestType) => open.busy && asked === type;
  const open = useAction(async (type: RequestType, details?: string, withPassword?: string) => {
    setAsked(type);
    try {
      const created = await call(
        api.POST('/v1/privacy/requests', {
          body: { type, ...(details ? { details } : {}), ...(withPassword ? { password: withPassword } : {}) },
        }),
      );
      navigate(`/privacy/requests/${created.requestId}`);
    } catch (error) {
      // An answer lost on the way (a timeout, a dropped connection) may follow a request the API did store: the
      // list below shows it, so the reader does not ask twice.
      requests.reload();
      throw error;
    }
  });
  return (
    <Page
      title="Privacy centre"
      intro="Your rights over your data, in one place. Each request is answered within its legal time; its due date is shown below."
    >
      <section aria-labelledby="export-title">
        <h2 id="export-title">Get a copy of your data</h2>
        <p>
          One archive with everything we hold about you: JSON for all of it, CSV for your call logs. We mail you when it is ready; the
          download link is short-lived.
        </p>
        <BusyButton busy={busyWith('access')} busyLabel="Requesting…" onClick={() => open.run('access')}>
          Request my data
        </BusyButton>{' '}
        <BusyButton class="secondary" busy={busyWith('portability')} busyLabel="Requesting…" onClick={() => open.run('portability')}>
          Request a portable copy
        </BusyButton>
        <ErrorNotice error={errorOf('access', 'portability')} />
      </section>
      <section aria-labelledby="correct-title">
        <h2 id="correct-title">Correct your data</h2>
        <p>
          You can change your name, profile and email yourself in <Link href="/settings">Settings</Link>. For anything else, tell us what is
          wrong:
        </p>
        <Form label="Correction request" onSubmit={() => open.run('correction', correction)}>
          <div class="field">
            <label for="correction">What should be corrected</label>
            <textarea
              id="correction"
              required
              maxLength={5000}
              rows={3}
              value={correction}
              onInput={(e) => setCorrection((e.target as HTMLTextAreaElement).value)}
            />
          </div>
          <ErrorNotice error={errorOf('correction')} />
          <BusyButton type="submit" busy={busyWith('correction')} busyLabel="Sending…">
            Ask for a correction
          </BusyButton>
        </Form>
      </section>
      <section aria-labelledby="object-title">
        <h2 id="object-title">Object to processing</h2>
        <p>
          Usage analytics and product mail can be switched off at once in <Link href="/settings">Settings → Preferences</Link>. To object to
          anything else, tell us:
        </p>
        <Form label="Objection" onSubmit={() => open.run('objection', objection)}>
          <div class="field">
            <label for="objection">What you object to</label>
            <textarea
              id="objection"
              required
              maxLength={5000}
              rows={3}
              value={objection}
              onInput={(e) => setObjection((e.target as HTMLTextAreaElement).value)}
            />
          </div>
          <ErrorNotice error={errorOf('objection')} />
          <BusyButton type="submit" busy={busyWith('objection')} busyLabel="Sending…">
            Object
          </BusyButton>
        </Form>
      </section>
      <section aria-labelledby="delete-title" class="danger-zone">
        <h2 id="delete-title">Delete your account</h2>
        <p>
          Your keys stop working, and everything we hold about you is erased after a cooling-off period, during which you can cancel from
          the link we mail you. Credits you paid for and have not used are lost. Records the law makes us keep (invoices) are kept without
          your name.
        </p>
        <Form label="Delete your account" onSubmit={() => open.run('deletion', undefined, password)}>
          <Field
            label="Your password, to confirm"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onValue={setPassword}
          />
          <ErrorNotice error={errorOf('deletion')} />
          <BusyButton type="submit" class="danger" busy={busyWith('deletion')} busyLabel="Checking your password…">
            Delete my account
          </BusyButton>
        </Form>
      </section>
      <h2>Your requests</h2>
      <ErrorNotice error={requests.error} />
      {requests.data ? <RequestList requests={requests.data.requests} /> : <Loading />}
    </Page>
  );
}

/**
 * The mailed download link (`?token=`) opens this page too: the download works from the link alone,
 * signed in or not. The link is tried first (it redirects to the archive and changes nothing, so it
 * can be tried): an expired or altered one would otherwise save the API's JSON refusal as the download.
 */
function MailedDownload({ id, token }: { id: string; token: string }) {
  const href = `/v1/privacy/requests/${encodeURIComponent(id)}/download?token=${encodeURIComponent(token)}`;
  const link = useLoad(async () => {
    const response = await fetch(href, { redirect: 'manual', headers: { accept: 'application/json' } });
    // The archive's address is on another origin (S3): the redirect to it is all that is read.
    if (response.type === 'opaqueredirect' || response.ok) return true;
    const body = (await response.json().catch(() => ({}))) as Partial<Schemas['Error']>;
    throw new ApiError(response.status, body.error?.code ?? `http_${response.status}`, body.error?.message ?? 'This link does not work.');
  }, [href]);
  if (link.error) return <ErrorNotice error={link.error} messages={INCOMPLETE_LINK} />;
  if (!link.data) return <Loading />;
  return (
    <Notice>
      Your data is ready.{' '}
      <a class="button" href={href} download>
        Download your data
      </a>{' '}
      The link works for a short time only.
    </Notice>
  );
}

export function PrivacyRequest() {
  const { id } = useParams<{ id: string }>();
  const token = new URLSearchParams(useSearch()).get('token');
  const { account } = useSession();
  if (token && !account) {
    return (
      <Page title="Your privacy request">
        <MailedDownload id={id} token={token} />
        <p>
          <Link href={`/signin?next=${encodeURIComponent(`/privacy/requests/${id}`)}`}>Sign in</Link> to see the request's status and
          history.
        </p>
      </Page>
    );
  }
  return <RequestDetails id={id} token={token} />;
}

function RequestDetails({ id, token }: { id: string; token: string | null }) {
  const request = useLoad(() => call(api.GET('/v1/privacy/requests/{id}', { params: { path: { id } } })), [id]);
  const r = request.data;
  // A confirmed deletion waits (its cooling-off) before erasure starts: nothing changes on this page until then.
  const erasureStartsAt =
    r?.type === 'deletion' && r.status === 'in_progress' && r.erasureStartsAt && Date.parse(r.erasureStartsAt) > Date.now()
      ? r.erasureStartsAt
      : undefined;
  // An export is made in the background: the page follows it until it settles.
  useEffect(() => {
    if (
      !r ||
      erasureStartsAt ||
      ['completed', 'failed', 'expired', 'cancelled', 'needs_manual_action', 'awaiting_confirmation'].includes(r.status)
    )
      return;
    const timer = setTimeout(request.reload, 2000);
    return () => clearTimeout(timer);
  }, [r]);
  return (
    <Page title={r ? TYPE_TEXT[r.type] : 'Privacy request'}>
      <ErrorNotice error={request.error} />
      {token && <MailedDownload id={id} token={token} />}
      {!r ? (
        <Loading />
      ) : (
        <>
          <dl class="facts">
            <dt>Status</dt>
            <dd data-testid="request-status">{STATUS_TEXT[r.status]}</dd>
            <dt>Received</dt>
            <dd>{formatTime(r.receivedAt)}</dd>
            <dt>Due by</dt>
            <dd>{formatTime(r.dueAt)}</dd>
            {erasureStartsAt && (
              <>
                <dt>Erasure starts</dt>
                <dd data-testid="erasure-starts">{formatTime(erasureStartsAt)}</dd>
              </>
            )}
            {r.details && (
              <>
                <dt>Details</dt>
                <dd class="free-text">{r.details}</dd>
              </>
            )}
          </dl>
          {r.download && !token && (
            <p>
              <a class="button" href={r.download} download>
                Download your data
              </a>{' '}
              {r.export && (
                <small>
                  ({formatNumber(Math.ceil(r.export.bytes / 1024), { style: 'unit', unit: 'kilobyte' })}; available until{' '}
                  {formatTime(r.export.linkExpiresAt ?? r.export.expiresAt)})
                </small>
              )}
            </p>
          )}
          {erasureStartsAt && (
            <Notice kind="warning">
              Your account and everything we hold about you will be erased from {formatTime(erasureStartsAt)}. Until then you can stop it:
              open the cancel link in the mail we sent to {displayEmail(r.email)}.
            </Notice>
          )}
          {r.status === 'awaiting_confirmation' && (
            <Notice>We mailed you a link to confirm this request; it starts once you open it.</Notice>
          )}
          <h2>History</h2>
          <ol class="history">
            {historyStages(r.history).map((h, i) => (
              <li key={i}>
                <strong>{STATUS_TEXT[h.status as RequestStatus]}</strong> · {formatTime(h.at)}
                {h.note && <p class="free-text">{formatTimesIn(h.note)}</p>}
                {h.steps.length > 0 && (
                  <ul class="steps">
                    {h.steps.map((step, j) => (
                      <li key={j} class="free-text">
                        {formatTime(step.at)} · {formatTimesIn(step.note)}
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            ))}
          </ol>
        </>
      )}
      <p>
        <Link href="/privacy">Back to the privacy centre</Link>
      </p>
    </Page>
  );
}

type LinkAction = 'confirm' | 'cancel';

/**
 * A mailed link's page: the request, its due date and what the button does, in the requester's
 * language (texts from the API's message catalogues). Opening it changes nothing; the button does.
 */
function PrivacyLink({ action }: { action: LinkAction }) {
  const search = new URLSearchParams(useSearch());
  const fields = { request: search.get('request') ?? '', token: search.get('token') ?? '' };
  const path = action === 'confirm' ? '/v1/privacy/confirm' : '/v1/privacy/cancel';
  const view = useLoad(() => call(api.GET(path, { params: { query: fields } })), [fields.request, fields.token]);
  const [result, setResult] = useState<Schemas['PrivacyLinkPage'] | undefined>(undefined);
  const act = useAction(async () => {
    // The same form fields the HTML page posts; the answer comes as JSON for the console.
    const body = new URLSearchParams(fields);
    setResult(
      await call(
        api.POST(path, {
          body,
          bodySerializer: (b) => b as URLSearchParams,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        }),
      ),
    );
  });
  const page = result ?? view.data;
  useEffect(() => {
    if (!page?.locale) return;
    document.documentElement.lang = page.locale;
    return () => void (document.documentElement.lang = 'en');
  }, [page?.locale]);
  return (
    <Page title={page?.texts.title ?? (action === 'confirm' ? 'Confirm your privacy request' : 'Cancel your deletion')}>
      <ErrorNotice error={view.error ?? act.error} messages={INCOMPLETE_LINK} />
      {!page ? (
        !view.error && <Loading />
      ) : (
        <div lang={page.locale}>
          {result ? (
            <Notice kind="success">
              {result.texts.paragraphs.map((p, i) => (
                <p key={i}>{p}</p>
              ))}
            </Notice>
          ) : (
            page.texts.paragraphs.map((p, i) => <p key={i}>{p}</p>)
          )}
          <dl class="facts">
            <dt>{page.texts.labels.dueBy}</dt>
            <dd data-testid="due">{formatTime(page.request.dueAt, page.locale)}</dd>
            {page.request.erasureStartsAt && (
              <>
                <dt>{page.texts.labels.erasureStarts}</dt>
                <dd>{formatTime(page.request.erasureStartsAt, page.locale)}</dd>
              </>
            )}
          </dl>
          {!result && page.texts.button && (
            <BusyButton
              class={action === 'confirm' && page.request.type === 'deletion' ? 'danger' : undefined}
              busy={act.busy}
              busyLabel={page.texts.button}
              onClick={() => act.run()}
            >
              {page.texts.button}
            </BusyButton>
          )}
        </div>
      )}
    </Page>
  );
}

export function PrivacyConfirm() {
  return <PrivacyLink action="confirm" />;
}

export function PrivacyCancel() {
  return <PrivacyLink action="cancel" />;
}
