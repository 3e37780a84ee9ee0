import type { ReactNode } from 'react';
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api } from '../api/client';
import type { Session, User } from '../api/types';

interface SessionState {
  user: User | null;
  /** True until the first attempt to restore a session from the refresh cookie has finished. */
  restoring: boolean;
  login: (email: string, password: string) => Promise<User>;
  register: (email: string, password: string, name?: string) => Promise<void>;
  logout: () => Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null>(api.currentSession?.user ?? null);
  const [restoring, setRestoring] = useState(true);

  useEffect(() => {
    const unsubscribe = api.onSession((session) => setUser(session?.user ?? null));
    // A returning visitor may still have a refresh cookie: try it once, if the hint says so.
    void api.restore().finally(() => setRestoring(false));
    return unsubscribe;
  }, []);

  const login = useCallback(async (email: string, password: string) => {
    const session = await api.post<Session>('/api/auth/login', { email, password });
    api.setSession(session);
    return session.user;
  }, []);

  const register = useCallback(async (email: string, password: string, name?: string) => {
    await api.post('/api/auth/register', { email, password, ...(name ? { name } : {}) });
  }, []);

  const logout = useCallback(async () => {
    try {
      await api.post('/api/auth/logout');
    } finally {
      api.setSession(null);
    }
  }, []);

  const value = useMemo(
    () => ({ user, restoring, login, register, logout }),
    [user, restoring, login, register, logout],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession() outside <SessionProvider>');
  return state;
}
