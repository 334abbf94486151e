import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useLocation, useSearch } from 'wouter-preact';
import { ApiError } from '../api/client';

/** A page: its heading takes focus on arrival, so keyboard and screen-reader users start at the top. */
export function Page({ title, children, intro }: { title: string; intro?: ComponentChildren; children?: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · OmnAPI console`;
    heading.current?.focus();
  }, [title]);
  return (
    <section class="page" aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1} ref={heading}>
        {title}
      </h1>
      {intro && <p class="intro">{intro}</p>}
      {children}
    </section>
  );
}

type InputProps = Omit<JSX.IntrinsicElements['input'], 'label' | 'value' | 'onInput'> & {
  label: string;
  value: string;
  onValue: (value: string) => void;
  hint?: string;
};

/** A labelled input; the hint is tied to it with aria-describedby. */
export function Field({ label, value, onValue, hint, id, ...rest }: InputProps) {
  const fieldId = id ?? `f-${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <div class="field">
      <label for={fieldId}>{label}</label>
      <input
        id={fieldId}
        value={value}
        onInput={(e) => onValue((e.target as HTMLInputElement).value)}
        aria-describedby={hint ? `${fieldId}-hint` : undefined}
        {...rest}
      />
      {hint && (
        <small id={`${fieldId}-hint`} class="hint">
          {hint}
        </small>
      )}
    </div>
  );
}

export function Select({
  label,
  value,
  onValue,
  options,
  id,
}: {
  label: string;
  value: string;
  onValue: (v: string) => void;
  options: [string, string][];
  id?: string;
}) {
  const fieldId = id ?? `s-${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <div class="field">
      <label for={fieldId}>{label}</label>
      <select id={fieldId} value={value} onChange={(e) => onValue((e.target as HTMLSelectElement).value)}>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

export function Checkbox({
  label,
  checked,
  onChecked,
  id,
}: {
  label: string;
  checked: boolean;
  onChecked: (v: boolean) => void;
  id?: string;
}) {
  const fieldId = id ?? `c-${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <div class="check">
      <input type="checkbox" id={fieldId} checked={checked} onChange={(e) => onChecked((e.target as HTMLInputElement).checked)} />
      <label for={fieldId}>{label}</label>
    </div>
  );
}

/** A message: errors are announced at once (alert), other news politely (status). */
export function Notice({ kind = 'info', children }: { kind?: 'info' | 'success' | 'error' | 'warning'; children: ComponentChildren }) {
  return (
    <div class={`notice ${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

/** The field an API issue names (`body.profile.country`), in words: its last part, camelCase split ("currentPassword" → "Current password"). */
export function fieldName(path: string): string {
  const last =
    path
      .split('.')
      .filter((part) => !/^\d+$/.test(part))
      .at(-1) ?? path;
  const words = last.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * A mailed link whose query the API refuses as malformed was cut or changed on its way (a mail program
 * wrapping it, part of it copied): the fields it names mean nothing to the person who clicked it.
 */
export const INCOMPLETE_LINK: Record<string, string> = {
  validation_failed:
    'This link is incomplete or was changed on its way. Open it again from the mail, exactly as it was sent (a mail program may have cut it in two), or use the newest one we sent.',
};

/** A wrong current password is answered 401 `invalid_credentials`, worded for signing in; from a session the email is not in question. */
export const WRONG_CURRENT_PASSWORD = { invalid_credentials: 'That is not your current password.' };

/**
 * The API's refusal in words. Field issues are listed by field name, each once (the API's message
 * repeats the first one with its path, which is for programs); `messages` replaces the API's text for
 * codes that mean something more precise where it is shown.
 */
export function ErrorNotice({ error, messages = {} }: { error: unknown; messages?: Record<string, string> }) {
  if (!error) return null;
  if (!(error instanceof ApiError)) return <Notice kind="error">Something went wrong. Please try again.</Notice>;
  const message = messages[error.code];
  if (message || error.details.length === 0) return <Notice kind="error">{message ?? error.message}</Notice>;
  return (
    <Notice kind="error">
      {error.details.length === 1 ? 'Please correct this field:' : 'Please correct these fields:'}
      <ul>
        {error.details.map((d) => (
          <li key={d.path}>
            {fieldName(d.path)}: {d.message}
          </li>
        ))}
      </ul>
    </Notice>
  );
}

/**
 * A table that may be wider than a phone's screen: it scrolls sideways in its own box, so the page
 * keeps the window's width; the box takes focus so it scrolls from the keyboard too.
 */
export function TableScroll({ label, id, children }: { label: string; id?: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling box must be reachable by keyboard to be scrolled (WCAG 2.1.1)
    <section class="table-scroll" id={id} aria-label={label} tabIndex={0}>
      {children}
    </section>
  );
}

/**
 * Runs a submit handler with a busy flag and the error it threw. While it runs, another run is
 * ignored: a second Enter or click, before the page has re-rendered, sends no second request.
 */
export function useAction<A extends unknown[]>(action: (...args: A) => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const running = useRef(false);
  const run = async (...args: A) => {
    if (running.current) return;
    running.current = true;
    setBusy(true);
    setError(undefined);
    try {
      await action(...args);
    } catch (caught) {
      setError(caught);
    } finally {
      running.current = false;
      setBusy(false);
    }
  };
  return { busy, error, run };
}

/** Loads data once per change of `deps`; `reload` fetches again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let current = true;
    setError(undefined);
    load().then(
      (value) => current && setData(value),
      (caught) => current && setError(caught),
    );
    return () => {
      current = false;
    };
  }, [...deps, version]);
  return { data, error, reload: () => setVersion((v) => v + 1), setData };
}

/** A form whose submit is handled in script (no page load). */
export function Form({ onSubmit, children, label }: { onSubmit: () => void; children: ComponentChildren; label: string }) {
  return (
    <form
      aria-label={label}
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      {children}
    </form>
  );
}

/**
 * Text someone else chose (a key name), for a plain-text sentence such as a confirmation dialog:
 * first-strong isolates (U+2068 … U+2069) end its direction overrides where it ends, so the words
 * after it read as written. In markup, `<bdi>` does the same.
 */
export function isolated(text: string): string {
  return `\u2068${text}\u2069`;
}

/** Copies a secret to the clipboard and says so. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <>
      <button
        type="button"
        class="secondary"
        onClick={async () => {
          await navigator.clipboard.writeText(text);
          setCopied(true);
        }}
      >
        {label}
      </button>
      <span role="status" class="copied">
        {copied ? 'Copied' : ''}
      </span>
    </>
  );
}

/**
 * A form's submit button that says it is working while the form's action runs: its label becomes
 * `busyLabel` (with a spinner), it is aria-busy and aria-disabled — not disabled, so it keeps the
 * keyboard's focus — and a live region announces the wait to screen readers. `useAction` ignores a
 * second submit meanwhile.
 */
export function SubmitButton({ busy, busyLabel, children }: { busy: boolean; busyLabel: string; children: ComponentChildren }) {
  return (
    <div class="submit">
      <BusyButton type="submit" busy={busy} busyLabel={busyLabel}>
        {children}
      </BusyButton>
    </div>
  );
}

/**
 * A button whose action may take a moment: while it runs, it says what is under way and is
 * `aria-busy` and `aria-disabled` — never `disabled`, which would drop the keyboard's focus to the
 * start of the page the moment it is pressed. `useAction` ignores presses while a run is under way.
 */
export function BusyButton({
  busy,
  busyLabel,
  type = 'button',
  children,
  ...rest
}: {
  busy: boolean;
  busyLabel: string;
  type?: 'button' | 'submit';
  children: ComponentChildren;
  class?: string;
  onClick?: () => void;
  'aria-label'?: string;
}) {
  return (
    <>
      <button
        type={type}
        {...rest}
        class={[rest.class, busy ? 'busy' : ''].filter(Boolean).join(' ') || undefined}
        aria-busy={busy ? 'true' : undefined}
        aria-disabled={busy ? 'true' : undefined}
      >
        {busy && <span class="spinner" aria-hidden="true" />}
        {busy ? busyLabel : children}
      </button>
      <span role="status" class="sr-only">
        {busy ? busyLabel : ''}
      </span>
    </>
  );
}

/**
 * Moves the keyboard's focus to the element with `id` once the page has re-rendered: where the reader
 * continues after the button they pressed went away (a dialog closed, a row's action was taken).
 */
export function focusSoon(id: string): void {
  setTimeout(() => document.getElementById(id)?.focus(), 0);
}

export function Loading() {
  return <p aria-busy="true">Loading…</p>;
}

/**
 * "Newer" and "Older" over a cursor-paged list: `cursors` are the pages before this one, so going back
 * needs no state in the API.
 */
export function Pager({
  label,
  cursors,
  next,
  onCursors,
}: {
  label: string;
  cursors: string[];
  next?: string | null;
  onCursors: (cursors: string[]) => void;
}) {
  return (
    <nav class="pager" aria-label={label}>
      {/* aria-disabled, not disabled: the last page reached with "Older" must not drop the focus that pressed it. */}
      <button
        type="button"
        class="secondary"
        aria-disabled={cursors.length === 0 ? 'true' : undefined}
        onClick={() => cursors.length > 0 && onCursors(cursors.slice(0, -1))}
      >
        Newer
      </button>
      <button
        type="button"
        class="secondary"
        aria-disabled={next ? undefined : 'true'}
        onClick={() => next && onCursors([...cursors, next])}
      >
        Older
      </button>
    </nav>
  );
}

/** The search parameters of the current address, and a setter that keeps filters in the URL (shareable, back button). */
export function useQueryState(): [URLSearchParams, (changes: Record<string, string | undefined>) => void] {
  const search = new URLSearchParams(useSearch());
  const [location, navigate] = useLocation();
  const set = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(search);
    for (const [name, value] of Object.entries(changes)) {
      if (value) next.set(name, value);
      else next.delete(name);
    }
    navigate(`${location}?${next.toString()}`, { replace: true });
  };
  return [search, set];
}

/** datetime-local values are local time; the API takes ISO instants. A value that is no time (a hand-edited link) filters nothing. */
export function toIso(local: string): string | undefined {
  const time = new Date(local);
  return local && !Number.isNaN(time.getTime()) ? time.toISOString() : undefined;
}
