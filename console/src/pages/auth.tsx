import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Link, useLocation, useSearch } from 'wouter-preact';
import { api, call, displayEmail } from '../api/client';
import { ErrorNotice, Field, Form, Loading, Notice, Page, SubmitButton, useAction } from '../components/ui';
import { useSession } from '../session';

/**
 * Only console paths are followed after sign-in, never another site: `next` is resolved as the
 * browser resolves it (`/\host` and `/\t/host` are other hosts), and only a same-origin result is kept.
 */
function safeNext(next: string | null): string {
  if (!next?.startsWith('/')) return '/keys';
  const url = new URL(next, window.location.origin);
  return url.origin === window.location.origin ? `${url.pathname}${url.search}${url.hash}` : '/keys';
}

export function SignIn() {
  const search = new URLSearchParams(useSearch());
  const [, navigate] = useLocation();
  const { refresh } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const signIn = useAction(async () => {
    await call(api.POST('/v1/auth/login', { body: { email, password } }));
    await refresh();
    navigate(safeNext(search.get('next')));
  });
  return (
    <Page title="Sign in">
      <Form label="Sign in" onSubmit={() => signIn.run()}>
        <Field label="Email" type="email" autoComplete="username" required value={email} onValue={setEmail} />
        <Field label="Password" type="password" autoComplete="current-password" required value={password} onValue={setPassword} />
        <ErrorNotice error={signIn.error} />
        <SubmitButton busy={signIn.busy} busyLabel="Signing in…">
          Sign in
        </SubmitButton>
      </Form>
      <p>
        <Link href="/forgot-password">Forgot your password?</Link> · <Link href="/signup">Create an account</Link> ·{' '}
        <Link href="/verify">Resend the verification mail</Link>
      </p>
    </Page>
  );
}

export function SignUp() {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [done, setDone] = useState<{ message: string } | undefined>(undefined);
  const signUp = useAction(async () => setDone(await call(api.POST('/v1/auth/signup', { body: { name, email, password } }))));
  return (
    <Page title="Create an account">
      {done ? (
        <Notice kind="success">
          {done.message} Open the link in the mail we sent to {displayEmail(email)} to verify your address, then{' '}
          <Link href="/signin">sign in</Link>.
        </Notice>
      ) : (
        <Form label="Create an account" onSubmit={() => signUp.run()}>
          <Field label="Name" autoComplete="name" required value={name} onValue={setName} />
          <Field label="Email" type="email" autoComplete="email" required value={email} onValue={setEmail} />
          <Field
            label="Password"
            type="password"
            autoComplete="new-password"
            required
            minLength={12}
            value={password}
            onValue={setPassword}
            hint="At least 12 characters."
          />
          <ErrorNotice error={signUp.error} />
          <SubmitButton busy={signUp.busy} busyLabel="Creating your account…">
            Create account
          </SubmitButton>
        </Form>
      )}
      <p>
        Already have an account? <Link href="/signin">Sign in</Link>.
      </p>
    </Page>
  );
}

const VERIFIED_TEXT: Record<string, string> = {
  verified: 'Your email address is verified. You can sign in now.',
  email_changed: 'Your new email address is confirmed. Use it to sign in from now on.',
  sign_in_unlocked: 'Sign-in is unlocked for your account. You can sign in again.',
};

/** What this history entry's link did, kept in its history state: a reload or a return with Back shows it again, and spends no token. */
function rememberedStatus(): string | undefined {
  const state = window.history.state as { linkStatus?: unknown } | null;
  return typeof state?.linkStatus === 'string' ? state.linkStatus : undefined;
}

/** A link that was already used (opened twice, or reloaded in another tab) is most often one that did its work. */
const USED_LINK = {
  invalid_token: 'This link was already used, has expired or is incomplete. If you opened it before, it has done its work: try signing in.',
};

/** Follows a mailed link's token through `GET /v1/auth/verify`: verification, email change and unlock share it; `again` says how to get a new link. */
function TokenLink({ title, again }: { title: string; again: ComponentChildren }) {
  const token = new URLSearchParams(useSearch()).get('token');
  const [status, setStatus] = useState<string | undefined>(rememberedStatus);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    if (!token || status) return;
    call(api.GET('/v1/auth/verify', { params: { query: { token } } })).then((r) => {
      window.history.replaceState({ ...(window.history.state ?? {}), linkStatus: r.status }, '');
      setStatus(r.status);
    }, setError);
  }, [token]);
  if (!token) return <ResendVerification />;
  return (
    <Page title={title}>
      {status ? (
        <Notice kind="success">{VERIFIED_TEXT[status] ?? 'Done.'}</Notice>
      ) : error ? (
        <ErrorNotice error={error} messages={USED_LINK} />
      ) : (
        <Loading />
      )}
      {error !== undefined && <p>{again}</p>}
      <p>
        <Link href="/signin">Sign in</Link>
      </p>
    </Page>
  );
}

export function Verify() {
  return (
    <TokenLink
      title="Verify your email address"
      again={
        <>
          Otherwise, <Link href="/verify">ask for a new verification mail</Link>.
        </>
      }
    />
  );
}

export function Unlock() {
  // An unlock link is mailed once per pause: there is no new one to ask for, and the pause ends by itself.
  return (
    <TokenLink
      title="Unlock sign-in"
      again="Otherwise, sign-in is paused for at most 15 minutes after the failed attempts: then sign in as usual."
    />
  );
}

/** A page that mails a link to an address: the answer is the same whether or not it has an account. */
function MailALink({
  title,
  intro,
  submit,
  send,
}: {
  title: string;
  intro: string;
  submit: string;
  send: (email: string) => Promise<{ message: string }>;
}) {
  const [email, setEmail] = useState('');
  const [message, setMessage] = useState<string | undefined>(undefined);
  const ask = useAction(async () => setMessage((await send(email)).message));
  return (
    <Page title={title} intro={intro}>
      <Form label={title} onSubmit={() => ask.run()}>
        <Field label="Email" type="email" autoComplete="email" required value={email} onValue={setEmail} />
        <ErrorNotice error={ask.error} />
        {message && <Notice kind="success">{message}</Notice>}
        <SubmitButton busy={ask.busy} busyLabel="Sending…">
          {submit}
        </SubmitButton>
      </Form>
    </Page>
  );
}

function ResendVerification() {
  return (
    <MailALink
      title="Resend the verification mail"
      intro="We mail a new link to the address if it has an account that is not verified yet."
      submit="Send the link again"
      send={(email) => call(api.POST('/v1/auth/verify/resend', { body: { email } }))}
    />
  );
}

export function ForgotPassword() {
  return (
    <MailALink
      title="Reset your password"
      intro="We mail a link that sets a new password to the address, if it has an account. The link works once, for an hour."
      submit="Mail me a link"
      send={(email) => call(api.POST('/v1/auth/password-reset', { body: { email } }))}
    />
  );
}

export function ResetPassword() {
  const token = new URLSearchParams(useSearch()).get('token') ?? '';
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [done, setDone] = useState<number | undefined>(undefined);
  const reset = useAction(async () => {
    if (password !== again) throw new Error('mismatch');
    setDone((await call(api.POST('/v1/auth/password-reset/confirm', { body: { token, password } }))).sessionsRevoked);
  });
  return (
    <Page title="Set a new password">
      {done !== undefined ? (
        <Notice kind="success">
          Your password is set; {done} session{done === 1 ? ' was' : 's were'} signed out. <Link href="/signin">Sign in</Link> with the new
          password.
        </Notice>
      ) : !token ? (
        <Notice kind="error">
          This page needs the link from the mail. <Link href="/forgot-password">Ask for a new one</Link>.
        </Notice>
      ) : (
        <Form label="Set a new password" onSubmit={() => reset.run()}>
          <Field
            label="New password"
            type="password"
            autoComplete="new-password"
            required
            minLength={12}
            value={password}
            onValue={setPassword}
            hint="At least 12 characters."
          />
          <Field label="New password, again" type="password" autoComplete="new-password" required value={again} onValue={setAgain} />
          {reset.error instanceof Error && reset.error.message === 'mismatch' ? (
            <Notice kind="error">The two passwords differ.</Notice>
          ) : (
            <ErrorNotice error={reset.error} />
          )}
          <SubmitButton busy={reset.busy} busyLabel="Setting your password…">
            Set password
          </SubmitButton>
        </Form>
      )}
    </Page>
  );
}
