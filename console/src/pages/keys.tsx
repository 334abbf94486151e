import { useEffect, useState } from 'preact/hooks';
import { Link } from 'wouter-preact';
import { ApiError, api, call, formatTime, type Schemas } from '../api/client';
import {
  BusyButton,
  CopyButton,
  ErrorNotice,
  Field,
  Form,
  focusSoon,
  isolated,
  Loading,
  Notice,
  Page,
  TableScroll,
  useAction,
  useLoad,
  WRONG_CURRENT_PASSWORD,
} from '../components/ui';

interface Revealed {
  name: string;
  secret: string;
  note: string;
}

/** A new secret, shown once: the API keeps only its hash. */
function SecretOnce({ revealed, onDone }: { revealed: Revealed; onDone: () => void }) {
  // It appears in answer to the button just pressed (create or roll): the reader continues at the secret, selected to copy.
  useEffect(() => focusSoon('new-secret'), [revealed.secret]);
  return (
    <section class="secret" aria-labelledby="secret-title">
      <h2 id="secret-title" class="free-text">
        Your new key "<bdi>{revealed.name}</bdi>"
      </h2>
      <Notice kind="warning">Copy it now: this is the only time it is shown. We store only a hash of it and cannot show it again.</Notice>
      <label for="new-secret">Secret</label>
      <input id="new-secret" class="mono" readOnly value={revealed.secret} onFocus={(e) => (e.target as HTMLInputElement).select()} />
      <p>
        <CopyButton text={revealed.secret} label="Copy the key" />{' '}
        <button type="button" onClick={onDone}>
          I have stored it
        </button>
      </p>
      <p class="hint">{revealed.note}</p>
    </section>
  );
}

/** The keys table's id: where the focus goes when the control that had it disappears. */
const KEYS_TABLE = 'keys-table';

function lastUse(key: Schemas['ApiKey']): string {
  if (!key.lastUsedAt) return 'Never used';
  return `${formatTime(key.lastUsedAt)}${key.lastUsedIp ? ` from ${key.lastUsedIp}` : ''}`;
}

/** Rolls a key, with the password when the session is too old to roll without it. */
const rollKey = (key: Schemas['ApiKey'], currentPassword?: string) =>
  call(
    api.POST('/v1/keys/{id}/roll', {
      params: { path: { id: key.keyId } },
      ...(currentPassword === undefined ? {} : { body: { currentPassword } }),
    }),
  );

export function Keys() {
  const keys = useLoad(() => call(api.GET('/v1/keys')));
  const [name, setName] = useState('');
  // A session that signed in more than 10 minutes ago creates a key only with the password again: the field appears when the API asks for it.
  const [askPassword, setAskPassword] = useState(false);
  const [currentPassword, setCurrentPassword] = useState('');
  const [revealed, setRevealed] = useState<Revealed | undefined>(undefined);
  // The password field appears in answer to the button just pressed: the reader continues there.
  useEffect(() => {
    if (askPassword) document.getElementById('key-current-password')?.focus();
  }, [askPassword]);
  const create = useAction(async () => {
    try {
      const created = await call(api.POST('/v1/keys', { body: { name, ...(askPassword ? { currentPassword } : {}) } }));
      setRevealed({ name: created.name, secret: created.secret, note: created.notice });
      setName('');
      keys.reload();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'current_password_required') {
        setAskPassword(true);
        return;
      }
      throw error;
    } finally {
      setCurrentPassword('');
    }
  });
  // A roll hands out a new secret as a creation does: an older session confirms the password first, in a form the API asks for.
  const [rollAsks, setRollAsks] = useState<Schemas['ApiKey'] | undefined>(undefined);
  const [rollPassword, setRollPassword] = useState('');
  useEffect(() => {
    if (rollAsks) document.getElementById('roll-current-password')?.focus();
  }, [rollAsks]);
  const roll = useAction(async (key: Schemas['ApiKey'], currentPassword?: string) => {
    if (
      currentPassword === undefined &&
      !window.confirm(`Roll "${isolated(key.name)}"? A new secret is issued; the old one keeps working for a grace period.`)
    )
      return;
    let rolled: Awaited<ReturnType<typeof rollKey>>;
    try {
      rolled = await rollKey(key, currentPassword);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'current_password_required') {
        setRollAsks(key);
        return;
      }
      throw error;
    } finally {
      setRollPassword('');
    }
    setRollAsks(undefined);
    setRevealed({
      name: rolled.name,
      secret: rolled.secret,
      note: `The previous secret works until ${formatTime(rolled.previous.graceUntil)}; switch your clients to the new one before then.`,
    });
    keys.reload();
  });
  const revoke = useAction(async (key: Schemas['ApiKey']) => {
    if (!window.confirm(`Revoke "${isolated(key.name)}"? Calls with it are refused within about a minute. This cannot be undone.`)) return;
    await call(api.DELETE('/v1/keys/{id}', { params: { path: { id: key.keyId } } }));
    keys.reload();
    // A revoked key has no buttons: the one just pressed is gone, so the keys table takes the focus.
    focusSoon(KEYS_TABLE);
  });
  return (
    <Page title="API keys" intro="Keys authenticate your calls to the products (Authorization: Bearer … or x-api-key).">
      {revealed && (
        <SecretOnce
          revealed={revealed}
          onDone={() => {
            setRevealed(undefined);
            // The panel and its button are gone: the reader continues at the keys, the new one among them.
            focusSoon(KEYS_TABLE);
          }}
        />
      )}
      <Form label="Create a key" onSubmit={() => create.run()}>
        <div class="inline">
          <Field
            label="New key name"
            required
            maxLength={100}
            value={name}
            onValue={setName}
            hint="For you to tell keys apart, e.g. production or laptop."
          />
          {askPassword && (
            <Field
              id="key-current-password"
              label="Your password"
              type="password"
              autoComplete="current-password"
              required
              value={currentPassword}
              onValue={setCurrentPassword}
              hint="You signed in more than 10 minutes ago: confirm it is you to create a key."
            />
          )}
          <BusyButton type="submit" busy={create.busy} busyLabel="Creating…">
            Create key
          </BusyButton>
        </div>
        <ErrorNotice error={create.error} messages={WRONG_CURRENT_PASSWORD} />
      </Form>
      {rollAsks && (
        <Form label={`Roll ${rollAsks.name}`} onSubmit={() => roll.run(rollAsks, rollPassword)}>
          <div class="inline">
            <Field
              id="roll-current-password"
              label="Your password"
              type="password"
              autoComplete="current-password"
              required
              value={rollPassword}
              onValue={setRollPassword}
              hint={`You signed in more than 10 minutes ago: confirm it is you to roll "${isolated(rollAsks.name)}".`}
            />
            <BusyButton type="submit" busy={roll.busy} busyLabel="Rolling…">
              Roll key
            </BusyButton>
            <button type="button" class="secondary" onClick={() => setRollAsks(undefined)}>
              Cancel
            </button>
          </div>
          <ErrorNotice error={roll.error} messages={WRONG_CURRENT_PASSWORD} />
        </Form>
      )}
      <ErrorNotice error={keys.error ?? (rollAsks ? undefined : roll.error) ?? revoke.error} />
      {!keys.data ? (
        <Loading />
      ) : keys.data.keys.length === 0 ? (
        <p>You have no keys yet.</p>
      ) : (
        <TableScroll label="Your keys" id={KEYS_TABLE}>
          <table>
            <caption>Your keys</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {keys.data.keys.map((key) => (
                <tr key={key.keyId}>
                  <th scope="row" class="free-text">
                    {key.name}
                  </th>
                  <td class="mono">{key.prefix}…</td>
                  <td>
                    <span class={`badge ${key.status}`}>{key.status}</span>
                    {key.graceUntil && key.status === 'rolling' && <small> until {formatTime(key.graceUntil)}</small>}
                  </td>
                  <td>{formatTime(key.createdAt)}</td>
                  <td>{lastUse(key)}</td>
                  <td class="actions">
                    {key.status !== 'revoked' && (
                      <>
                        <Link href={`/usage?key=${encodeURIComponent(key.keyId)}`} aria-label={`Usage of ${key.name}`}>
                          Usage
                        </Link>
                        {key.status === 'active' && (
                          <button type="button" class="secondary" onClick={() => roll.run(key)} aria-label={`Roll ${key.name}`}>
                            Roll
                          </button>
                        )}
                        <button type="button" class="danger" onClick={() => revoke.run(key)} aria-label={`Revoke ${key.name}`}>
                          Revoke
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </Page>
  );
}
