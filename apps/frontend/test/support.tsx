import { render } from '@testing-library/react';
import { vi } from 'vitest';
import { Router } from 'wouter';
import { memoryLocation } from 'wouter/memory-location';
import { api } from '../src/api/client';
import { queryClient } from '../src/state/query-client';
import { AppRoutes, Providers } from '../src/App';

type Handler = (request: {
  method: string;
  url: URL;
  body: unknown;
}) => { status: number; body?: unknown } | Promise<{ status: number; body?: unknown }>;

/** Sets or clears auth's `session_hint` cookie in the document, as its Set-Cookie headers would. */
export function setSessionHint(present: boolean) {
  document.cookie = present ? 'session_hint=1; path=/' : 'session_hint=; path=/; max-age=0';
}

/**
 * A fake of the platform's HTTP APIs: `"GET /api/items"` -> handler. Unknown routes answer 404.
 * A `POST /api/auth/refresh` handler stands for a browser holding a refresh cookie, so the session
 * hint starts set with it; login, refresh and logout then set and clear the hint as auth does.
 */
export function fakeApi(handlers: Record<string, Handler>) {
  setSessionHint('POST /api/auth/refresh' in handlers);
  const calls: { method: string; path: string; body: unknown; authorization: string | null }[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(
      typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
      'http://localhost',
    );
    const method = init?.method ?? 'GET';
    const body: unknown = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    const headers = new Headers(init?.headers);
    calls.push({
      method,
      path: `${url.pathname}${url.search}`,
      body,
      authorization: headers.get('authorization'),
    });
    const handler = handlers[`${method} ${url.pathname}`];
    const answer = handler
      ? await handler({ method, url, body })
      : { status: 404, body: { error: { code: 'NOT_FOUND', message: 'No route' } } };
    const ok = answer.status >= 200 && answer.status < 300;
    if (['/api/auth/login', '/api/auth/refresh'].includes(url.pathname) && method === 'POST' && ok)
      setSessionHint(true);
    if (
      method === 'POST' &&
      (url.pathname === '/api/auth/logout' || (url.pathname === '/api/auth/refresh' && !ok))
    )
      setSessionHint(false);
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status: answer.status,
      headers: { 'content-type': 'application/json' },
    });
  });
  vi.stubGlobal('fetch', fetchMock);
  return { calls, fetchMock };
}

/** No session: no refresh cookie, so no session hint and no refresh request at start-up. */
export const noSession: Record<string, Handler> = {};

/**
 * The app at `path` (with its query string), on an in-memory location; `strict` renders it in
 * StrictMode, as src/main.tsx does. `address()` is where the app has navigated since: path and query.
 */
export function renderAt(path: string, { strict = false }: { strict?: boolean } = {}) {
  api.setSession(null);
  // One query client serves the app: each test starts with nothing cached.
  queryClient.clear();
  const location = memoryLocation({ path, record: true });
  return {
    address: () => location.history.at(-1),
    ...render(
      <Providers>
        <Router hook={location.hook}>
          <AppRoutes />
        </Router>
      </Providers>,
      { reactStrictMode: strict },
    ),
  };
}

export const item = (id: string, name: string, priceCents: number, category = 'kitchen') => ({
  id,
  name,
  description: `About ${name}`,
  priceCents,
  currency: 'EUR',
  category,
  stock: 5,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

export const session = (roles: ('user' | 'admin')[] = ['user']) => ({
  accessToken: `token-${roles.join('-')}`,
  tokenType: 'Bearer',
  expiresIn: 900,
  user: { id: 'u1', email: 'ada@example.com', name: 'Ada', roles },
});
