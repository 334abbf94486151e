import type { ComponentType } from 'preact';
import { lazy, Suspense } from 'preact/compat';
import { Link, Redirect, Route, Switch, useLocation } from 'wouter-preact';
import { displayEmail } from './api/client';
import { BusyButton, ErrorNotice, Loading, Page, useAction } from './components/ui';
import { Audit } from './pages/audit';
import { ForgotPassword, ResetPassword, SignIn, SignUp, Unlock, Verify } from './pages/auth';
import { Catalogue } from './pages/catalogue';
import { CheckoutCancelled, CheckoutDone, Credits } from './pages/credits';
import { Keys } from './pages/keys';
import { Unsubscribe } from './pages/notices';
import { PrivacyCancel, PrivacyCentre, PrivacyConfirm, PrivacyRequest } from './pages/privacy';
import { Settings } from './pages/settings';
import { Logs, Usage } from './pages/usage';
import { SessionProvider, useSession } from './session';

// The API reference renderer is large: it loads only when its page is opened.
const ApiReference = lazy(() => import('./pages/docs').then((m) => m.ApiReference));

const SIGNED_IN_NAV: [string, string][] = [
  ['/keys', 'Keys'],
  ['/usage', 'Usage'],
  ['/logs', 'Logs'],
  ['/credits', 'Credits'],
  ['/catalogue', 'Catalogue'],
  ['/docs', 'API reference'],
  ['/privacy', 'Privacy'],
  ['/settings', 'Settings'],
];

// Shown once the API has said no one is signed in: while it answers, a signed-in holder must not be offered "Sign in" and "Sign up".
const SIGNED_OUT_NAV: [string, string][] = [
  ['/catalogue', 'Catalogue'],
  ['/docs', 'API reference'],
  ['/signin', 'Sign in'],
  ['/signup', 'Sign up'],
];

/** A page for signed-in holders only: others are sent to sign in and brought back. */
function Private({ page: PageComponent }: { page: ComponentType }) {
  const { account } = useSession();
  const [location] = useLocation();
  if (account === undefined) return <Loading />;
  if (account === null) return <Redirect to={`/signin?next=${encodeURIComponent(location + window.location.search)}`} replace />;
  return <PageComponent />;
}

function Header() {
  const { account, signOut } = useSession();
  const [location, navigate] = useLocation();
  const out = useAction(async () => {
    await signOut();
    navigate('/signin');
  });
  return (
    <header class="top">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <Link href={account ? '/keys' : '/'} class="brand">
        OmnAPI <span>console</span>
      </Link>
      <nav aria-label="Main">
        <ul>
          {(account ? SIGNED_IN_NAV : account === null ? SIGNED_OUT_NAV : []).map(([href, text]) => (
            <li key={href}>
              <Link href={href} aria-current={location === href || location.startsWith(`${href}/`) ? 'page' : undefined}>
                {text}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {account && (
        <div class="who">
          <span class="email">{displayEmail(account.email)}</span>
          <BusyButton class="secondary" busy={out.busy} busyLabel="Signing out…" onClick={() => out.run()}>
            Sign out
          </BusyButton>
          <ErrorNotice error={out.error} />
        </div>
      )}
    </header>
  );
}

function Home() {
  const { account } = useSession();
  if (account === undefined) return <Loading />;
  return <Redirect to={account ? '/keys' : '/signin'} replace />;
}

function NotFound() {
  return (
    <Page title="Page not found">
      <p>
        There is no page at this address. <Link href="/">Go to the console</Link>.
      </p>
    </Page>
  );
}

export function App() {
  return (
    <SessionProvider>
      <Header />
      <main id="main">
        <Switch>
          <Route path="/" component={Home} />
          <Route path="/signin" component={SignIn} />
          <Route path="/signup" component={SignUp} />
          <Route path="/verify" component={Verify} />
          <Route path="/unlock" component={Unlock} />
          <Route path="/forgot-password" component={ForgotPassword} />
          <Route path="/reset-password" component={ResetPassword} />
          <Route path="/catalogue" component={Catalogue} />
          <Route path="/docs">
            <Suspense fallback={<Loading />}>
              <ApiReference />
            </Suspense>
          </Route>
          <Route path="/notices/unsubscribe" component={Unsubscribe} />
          <Route path="/privacy/confirm" component={PrivacyConfirm} />
          <Route path="/privacy/cancel" component={PrivacyCancel} />
          <Route path="/privacy/requests/:id">
            {() => (new URLSearchParams(window.location.search).has('token') ? <PrivacyRequest /> : <Private page={PrivacyRequest} />)}
          </Route>
          <Route path="/privacy">{() => <Private page={PrivacyCentre} />}</Route>
          <Route path="/keys">{() => <Private page={Keys} />}</Route>
          <Route path="/usage">{() => <Private page={Usage} />}</Route>
          <Route path="/logs">{() => <Private page={Logs} />}</Route>
          <Route path="/credits/checkout/done">{() => <Private page={CheckoutDone} />}</Route>
          <Route path="/credits/checkout/cancelled">{() => <Private page={CheckoutCancelled} />}</Route>
          <Route path="/credits">{() => <Private page={Credits} />}</Route>
          <Route path="/audit">{() => <Private page={Audit} />}</Route>
          <Route path="/settings">{() => <Private page={Settings} />}</Route>
          <Route component={NotFound} />
        </Switch>
      </main>
      <footer class="bottom">
        <p>
          This console sets one cookie, the session cookie that keeps you signed in. No tracking, no analytics, no third-party requests — so
          there is no consent banner. <Link href="/privacy">Your privacy centre</Link>.
        </p>
      </footer>
    </SessionProvider>
  );
}
