import { useState } from 'preact/hooks';
import { Link, useSearch } from 'wouter-preact';
import { ApiError, api, call, formatTime, type Schemas } from '../api/client';
import { BusyButton, ErrorNotice, INCOMPLETE_LINK, Loading, Notice, Page, useAction, useLoad } from '../components/ui';

/** What a refused link means for the person holding it, by the API's error code. */
const REFUSED_TITLES: Record<string, string> = {
  link_expired: 'This unsubscribe link has expired',
  link_invalid: 'This unsubscribe link does not work',
  account_gone: 'This account no longer exists',
  validation_failed: 'This unsubscribe link is incomplete or was changed',
};

/**
 * An optional notice's unsubscribe link (`/notices/unsubscribe?account=&topic=&exp=&sig=`): says what
 * stops and what continues, and a button stops it — opening the page changes nothing (mail scanners
 * open links). No sign-in: the link's signature is the credential. The same query is the one-click URL
 * mail clients POST to (RFC 8058).
 */
export function Unsubscribe() {
  const search = useSearch();
  const query = Object.fromEntries(new URLSearchParams(search));
  const link = { account: query.account ?? '', topic: query.topic ?? '', exp: Number(query.exp ?? ''), sig: query.sig ?? '' };
  const view = useLoad(
    () => call(api.GET('/v1/notices/unsubscribe', { params: { query: link as Schemas['UnsubscribeLink'] & typeof link } })),
    [search],
  );
  const [done, setDone] = useState<Schemas['UnsubscribeLink'] | undefined>(undefined);
  const act = useAction(async () => {
    setDone(
      await call(
        api.POST('/v1/notices/unsubscribe', {
          params: { query: link as never },
          // The body mail clients send for the one click; the signed query is what counts.
          body: 'List-Unsubscribe=One-Click' as never,
          bodySerializer: (b) => b as string,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        }),
      ),
    );
  });
  const refused = view.error instanceof ApiError ? view.error : undefined;
  const data = done ?? view.data;
  const title = refused
    ? (REFUSED_TITLES[refused.code] ?? 'This unsubscribe link does not work')
    : data
      ? done
        ? 'Unsubscribed'
        : data.subscribed
          ? `Stop ${data.name.toLowerCase()}?`
          : 'Already unsubscribed'
      : 'Unsubscribe';
  return (
    <Page title={title}>
      {refused ? (
        <>
          <Notice kind="error">{INCOMPLETE_LINK[refused.code] ?? refused.message}</Notice>
          <p>
            Nothing was changed. You can switch optional mail off at any time in <Link href="/settings">Settings → Mail preferences</Link>{' '}
            (you will be asked to sign in).
          </p>
        </>
      ) : !data ? (
        view.error ? (
          <ErrorNotice error={view.error} />
        ) : (
          <Loading />
        )
      ) : (
        <>
          {done ? (
            <Notice kind="success">
              {done.changed
                ? `You will no longer receive OmnAPI ${data.name.toLowerCase()}.`
                : `You had already stopped OmnAPI ${data.name.toLowerCase()}.`}{' '}
              You can switch them on again in <Link href="/settings">Settings → Mail preferences</Link>.
            </Notice>
          ) : data.subscribed ? (
            <p>You will no longer receive OmnAPI {data.name.toLowerCase()} by mail. Nothing has changed yet.</p>
          ) : (
            <p>
              You no longer receive OmnAPI {data.name.toLowerCase()}. To get them again, switch them on in{' '}
              <Link href="/settings">Settings → Mail preferences</Link>.
            </p>
          )}
          <p>
            These continue whatever you choose, because they concern your account, its money or the service you use:{' '}
            {data.continues.map((t) => t.name).join(', ')}.
          </p>
          {!done && data.subscribed && (
            <>
              <ErrorNotice error={act.error} />
              <BusyButton busy={act.busy} busyLabel="Unsubscribing…" onClick={() => act.run()}>
                Unsubscribe from {data.name.toLowerCase()}
              </BusyButton>
            </>
          )}
          <p class="hint">This link works until {formatTime(data.expiresAt)}.</p>
        </>
      )}
    </Page>
  );
}
