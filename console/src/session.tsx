import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useState } from 'preact/hooks';
import { api, ApiError, call, type Schemas } from './api/client';

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
  const signOut = useCallback(async () => {
    await call(api.POST('/v1/auth/logout')).catch(() => undefined);
    setAccount(null);
  }, []);
  useEffect(() => void refresh(), [refresh]);
  return <SessionContext.Provider value={{ account, refresh, signOut }}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  return useContext(SessionContext);
}
