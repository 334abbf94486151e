import { useEffect, useState } from 'preact/hooks';
import { Link, useLocation } from 'wouter-preact';
import { api, call, decimalFromInput, decimalInput, decimalSeparator, displayEmail, formatTime, type Schemas } from '../api/client';
import {
  BusyButton,
  Checkbox,
  ErrorNotice,
  Field,
  Form,
  focusSoon,
  Loading,
  Notice,
  Page,
  TableScroll,
  useAction,
  useLoad,
  WRONG_CURRENT_PASSWORD,
} from '../components/ui';
import { profileFromForm } from '../profile';
import { useSession } from '../session';

function Profile({ account, onSaved }: { account: Schemas['Account']; onSaved: () => Promise<void> }) {
  const [name, setName] = useState(account.name);
  const [company, setCompany] = useState(account.profile.company ?? '');
  const [website, setWebsite] = useState(account.profile.website ?? '');
  const [country, setCountry] = useState(account.profile.country ?? '');
  const [saved, setSaved] = useState(false);
  const save = useAction(async () => {
    setSaved(false);
    const profile = profileFromForm({ company, website, country });
    await call(api.PATCH('/v1/account', { body: { name, profile } }));
    // Show what was saved: `IS` for `is`, the website with its scheme.
    setWebsite(profile.website ?? '');
    setCountry(profile.country ?? '');
    await onSaved();
    setSaved(true);
  });
  return (
    <section aria-labelledby="profile-title">
      <h2 id="profile-title">Profile</h2>
      <Form label="Profile" onSubmit={() => save.run()}>
        <Field label="Name" autoComplete="name" required value={name} onValue={setName} />
        <Field label="Company" autoComplete="organization" value={company} onValue={setCompany} />
        <Field label="Website" inputMode="url" autoComplete="url" value={website} onValue={setWebsite} hint="e.g. example.com" />
        <Field
          label="Country"
          autoComplete="country"
          autoCapitalize="characters"
          maxLength={2}
          value={country}
          onValue={setCountry}
          hint="Two-letter code, e.g. FR."
        />
        <ErrorNotice error={save.error} />
        {saved && <Notice kind="success">Saved.</Notice>}
        <BusyButton type="submit" busy={save.busy} busyLabel="Saving…">
          Save profile
        </BusyButton>
      </Form>
    </section>
  );
}

function Email({ account, onSaved }: { account: Schemas['Account']; onSaved: () => Promise<void> }) {
  const [email, setEmail] = useState('');
  const [currentPassword, setCurrentPassword] = useState('');
  const change = useAction(async () => {
    await call(api.PATCH('/v1/account', { body: { email, currentPassword } }));
    setEmail('');
    setCurrentPassword('');
    await onSaved();
  });
  return (
    <section aria-labelledby="email-title">
      <h2 id="email-title">Email address</h2>
      <p>
        Signed in as <strong>{displayEmail(account.email)}</strong>.
      </p>
      {account.pendingEmail && (
        <Notice>We mailed a confirmation link to {displayEmail(account.pendingEmail)}; the change applies once it is opened.</Notice>
      )}
      <Form label="Change email" onSubmit={() => change.run()}>
        <Field label="New email" type="email" autoComplete="email" required value={email} onValue={setEmail} />
        <Field
          id="email-current-password"
          label="Current password"
          type="password"
          autoComplete="current-password"
          required
          value={currentPassword}
          onValue={setCurrentPassword}
        />
        <ErrorNotice error={change.error} messages={WRONG_CURRENT_PASSWORD} />
        <BusyButton type="submit" busy={change.busy} busyLabel="Changing your email…">
          Change email
        </BusyButton>
      </Form>
    </section>
  );
}

function Password() {
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [done, setDone] = useState(false);
  const change = useAction(async () => {
    setDone(false);
    await call(api.POST('/v1/account/password', { body: { currentPassword, newPassword } }));
    setCurrentPassword('');
    setNewPassword('');
    setDone(true);
  });
  return (
    <section aria-labelledby="password-title">
      <h2 id="password-title">Password</h2>
      <Form label="Change password" onSubmit={() => change.run()}>
        <Field
          id="password-current"
          label="Current password"
          type="password"
          autoComplete="current-password"
          required
          value={currentPassword}
          onValue={setCurrentPassword}
        />
        <Field
          label="New password"
          type="password"
          autoComplete="new-password"
          required
          minLength={12}
          value={newPassword}
          onValue={setNewPassword}
          hint="At least 12 characters. Your other sessions are signed out."
        />
        <ErrorNotice error={change.error} messages={WRONG_CURRENT_PASSWORD} />
        {done && <Notice kind="success">Password changed; your other sessions are signed out.</Notice>}
        <BusyButton type="submit" busy={change.busy} busyLabel="Changing your password…">
          Change password
        </BusyButton>
      </Form>
    </section>
  );
}

/** The sessions table's id: where the focus goes when the button that had it disappears. */
const SESSIONS_TABLE = 'sessions-table';

function Sessions() {
  const sessions = useLoad(() => call(api.GET('/v1/account/sessions')));
  const revoke = useAction(async (id: string) => {
    await call(api.DELETE('/v1/account/sessions/{id}', { params: { path: { id } } }));
    sessions.reload();
    // The row's button is gone with its session: the reader continues at the table.
    focusSoon(SESSIONS_TABLE);
  });
  const [signedOut, setSignedOut] = useState<number | undefined>(undefined);
  const others = useAction(async () => {
    const { sessionsRevoked } = await call(api.DELETE('/v1/account/sessions'));
    // The other sessions, their buttons and this one go in the render that says so, not a reload later.
    sessions.setData((data) => data && { ...data, sessions: data.sessions.filter((s) => s.current) });
    setSignedOut(sessionsRevoked);
    sessions.reload();
    // With no other session left the button goes: the reader continues at the table, which now shows this one alone.
    focusSoon(SESSIONS_TABLE);
  });
  const elsewhere = sessions.data?.sessions.some((s) => !s.current) ?? false;
  return (
    <section aria-labelledby="sessions-title">
      <h2 id="sessions-title">Sessions</h2>
      <ErrorNotice error={sessions.error ?? revoke.error ?? others.error} />
      {!sessions.data ? (
        <Loading />
      ) : (
        <TableScroll label="Where you are signed in" id={SESSIONS_TABLE}>
          <table>
            <caption>Where you are signed in</caption>
            <thead>
              <tr>
                <th scope="col">Signed in</th>
                <th scope="col">From</th>
                <th scope="col">Browser</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {sessions.data.sessions.map((s) => (
                <tr key={s.sessionId}>
                  <th scope="row">{formatTime(s.createdAt)}</th>
                  <td>{s.ip}</td>
                  <td class="ua">{s.userAgent}</td>
                  <td>
                    {s.current ? (
                      'This session'
                    ) : (
                      <button
                        type="button"
                        class="secondary"
                        onClick={() => revoke.run(s.sessionId)}
                        aria-label={`Sign out the session from ${s.ip} started ${formatTime(s.createdAt)}`}
                      >
                        Sign out
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      {elsewhere && (
        <BusyButton class="secondary" onClick={() => others.run()} busy={others.busy} busyLabel="Signing out…">
          Sign out all other sessions
        </BusyButton>
      )}
      {signedOut !== undefined && (
        <Notice kind="success">{signedOut === 1 ? 'One other session signed out.' : `${signedOut} other sessions signed out.`}</Notice>
      )}
    </section>
  );
}

function SecurityEvents() {
  const events = useLoad(() => call(api.GET('/v1/account/security-events', { params: { query: { limit: 20 } } })));
  return (
    <section aria-labelledby="events-title">
      <h2 id="events-title">Security events</h2>
      <p>
        Everything done to your account — also by OmnAPI staff — is in the <Link href="/audit">audit trail</Link>.
      </p>
      <ErrorNotice error={events.error} />
      {!events.data ? (
        <Loading />
      ) : events.data.events.length === 0 ? (
        <p>No events yet.</p>
      ) : (
        <TableScroll label="Security events">
          <table>
            <caption>Sign-ins, password and key changes, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Event</th>
                <th scope="col">From</th>
              </tr>
            </thead>
            <tbody>
              {events.data.events.map((e) => (
                <tr key={e.eventId}>
                  <th scope="row">{formatTime(e.at)}</th>
                  <td>{e.type.replace(/[._]/g, ' ')}</td>
                  <td>{e.ip}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}

function Preferences() {
  const loaded = useLoad(() => call(api.GET('/v1/account/preferences')));
  const [prefs, setPrefs] = useState<Schemas['Preferences'] | undefined>(undefined);
  const [saved, setSaved] = useState(false);
  // The threshold is edited as the reader writes decimals (`2,5` in German) and sent as the API's (`2.5`).
  const asTyped = (p: Schemas['Preferences']) => (p.lowBalanceCredits ? { ...p, lowBalanceCredits: decimalInput(p.lowBalanceCredits) } : p);
  useEffect(() => setPrefs(loaded.data && asTyped(loaded.data)), [loaded.data]);
  const save = useAction(async () => {
    setSaved(false);
    const body = prefs!.lowBalanceCredits ? { ...prefs!, lowBalanceCredits: decimalFromInput(prefs!.lowBalanceCredits) } : prefs!;
    setPrefs(asTyped(await call(api.PUT('/v1/account/preferences', { body }))));
    setSaved(true);
  });
  const separator = decimalSeparator();
  if (!prefs) return loaded.error ? <ErrorNotice error={loaded.error} /> : <Loading />;
  const lowBalanceOn = prefs.lowBalanceCredits !== null && prefs.lowBalanceCredits !== undefined;
  return (
    <section aria-labelledby="prefs-title">
      <h2 id="prefs-title">Preferences</h2>
      <Form label="Preferences" onSubmit={() => save.run()}>
        <fieldset>
          <legend>Mail preferences</legend>
          <Checkbox
            label="Product updates by mail"
            checked={prefs.productUpdates}
            onChecked={(v) => setPrefs({ ...prefs, productUpdates: v })}
          />
          <Checkbox
            label="Deprecation digest by mail"
            checked={prefs.deprecationNotices ?? true}
            onChecked={(v) => setPrefs({ ...prefs, deprecationNotices: v })}
          />
          <p class="hint">Security, billing and service notices always come: they cannot be turned off.</p>
          <Checkbox
            label="Mail me when my balance runs low"
            checked={lowBalanceOn}
            onChecked={(v) => setPrefs({ ...prefs, lowBalanceCredits: v ? '10' : null })}
          />
          {lowBalanceOn && (
            <Field
              label="Low-balance threshold (credits)"
              inputMode="decimal"
              pattern={`\\d{1,9}([${separator}]\\d{1,6})?`}
              required
              value={prefs.lowBalanceCredits ?? ''}
              onValue={(v) => setPrefs({ ...prefs, lowBalanceCredits: v })}
              hint={`One mail when the balance falls below it; whole credits or up to 6 decimals, e.g. ${decimalInput('2.5')}.`}
            />
          )}
        </fieldset>
        <fieldset>
          <legend>Processing</legend>
          <Checkbox
            label="Usage analytics beyond billing"
            checked={prefs.analytics}
            onChecked={(v) => setPrefs({ ...prefs, analytics: v })}
          />
        </fieldset>
        <ErrorNotice error={save.error} />
        {saved && <Notice kind="success">Preferences saved.</Notice>}
        <BusyButton type="submit" busy={save.busy} busyLabel="Saving…">
          Save preferences
        </BusyButton>
      </Form>
    </section>
  );
}

export function Settings() {
  const { account, refresh } = useSession();
  const [, navigate] = useLocation();
  if (!account) return <Loading />;
  return (
    <Page title="Settings">
      <Profile account={account} onSaved={refresh} />
      <Email account={account} onSaved={refresh} />
      <Password />
      <Preferences />
      <Sessions />
      <SecurityEvents />
      <section aria-labelledby="cookies-title">
        <h2 id="cookies-title">Cookies</h2>
        <p>
          The console sets only the session cookie (HttpOnly, Secure, SameSite=Strict) that keeps you signed in, and stores nothing else in
          your browser. It loads nothing from other sites and does no tracking, so there is no consent banner.{' '}
          <button type="button" class="link" onClick={() => navigate('/privacy')}>
            Your privacy rights
          </button>
        </p>
      </section>
    </Page>
  );
}
