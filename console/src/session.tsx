import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useState } from 'preact/hooks';
import { api, ApiError, call, SESSION_ENDED, type Schemas } from './api/client';

interface SessionState {
  /** undefined while loading, null when signed out. */
  account: Schemas['Account'] | null | undefined;
  refresh: () => Promise<void>;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<SessionState>({ account: undefined, refresh: async () => undefined, signOut: async () => undefined });

/** Who is signed in, read from `GET /v1/account` with the HttpOnly session cookie (never stored by the console). */
export function SessionProvider({ children }: { children: ComponentChildren }) {
  const [account, setAccount] = useState<SessionState['account']>(undefined);
  const refresh = useCallback(async () => {
    try {
      setAccount(await call(api.GET('/v1/account')));
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) setAccount(null);
      else throw error;
    }
  }, []);
  // Signed out only once the API has ended the session (or it had already ended): a failure is the caller's to show.
  const signOut = useCallback(async () => {
    try {
      await call(api.POST('/v1/auth/logout'));
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) throw error;
    }
    setAccount(null);
  }, []);
  useEffect(() => void refresh(), [refresh]);
  // Any call answered 401 means the session is over: pages for signed-in holders send the reader to sign in, and back.
  useEffect(() => {
    const ended = () => setAccount(null);
    window.addEventListener(SESSION_ENDED, ended);
    return () => window.removeEventListener(SESSION_ENDED, ended);
  }, []);
  return <SessionContext.Provider value={{ account, refresh, signOut }}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  return useContext(SessionContext);
}
