import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiClient, hasSessionHint } from '../src/api/client';
import { fakeApi, item, noSession, renderAt, session, setSessionHint } from './support';

const catalog = {
  'GET /api/items': () => ({
    status: 200,
    body: { items: [item('a', 'Kettle', 3499)], page: 1, limit: 12, total: 1 },
  }),
  'GET /api/items/categories': () => ({ status: 200, body: { categories: ['kitchen'] } }),
  'GET /api/discounts/active': () => ({ status: 200, body: { discounts: [] } }),
};
const refreshes = (calls: { method: string; path: string }[]) =>
  calls.filter((call) => call.method === 'POST' && call.path === '/api/auth/refresh');

describe('restoring a session on a page load', () => {
  afterEach(() => setSessionHint(false));

  it('sends no refresh request for a visitor without a session', async () => {
    const { calls } = fakeApi({ ...noSession, ...catalog });
    renderAt('/');
    expect(await screen.findByRole('link', { name: 'Kettle' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Log in' })).toBeInTheDocument();
    expect(refreshes(calls)).toEqual([]);
  });

  it('restores the session of a returning visitor from the refresh cookie', async () => {
    const { calls } = fakeApi({
      ...catalog,
      'POST /api/auth/refresh': () => ({ status: 200, body: session(['user']) }),
    });
    renderAt('/');
    expect(await screen.findByText('Ada')).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Log in' })).not.toBeInTheDocument();
    expect(refreshes(calls)).toHaveLength(1);
  });

  it('forgets a hint the service refuses, so the next load sends nothing', async () => {
    const { calls } = fakeApi({
      ...catalog,
      'POST /api/auth/refresh': () => ({
        status: 401,
        body: { error: { code: 'INVALID_REFRESH_TOKEN', message: 'no' } },
      }),
    });
    renderAt('/');
    await waitFor(() => expect(refreshes(calls)).toHaveLength(1));
    await waitFor(() => expect(hasSessionHint()).toBe(false));
    expect(await screen.findByRole('link', { name: 'Log in' })).toBeInTheDocument();
  });

  it('keeps the hint across a login and drops it at logout', async () => {
    fakeApi({
      ...catalog,
      'POST /api/auth/login': () => ({ status: 200, body: session(['user']) }),
      'POST /api/auth/logout': () => ({ status: 204 }),
    });
    expect(hasSessionHint()).toBe(false);
    renderAt('/login');
    await userEvent.type(await screen.findByLabelText('Email'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'correct horse battery staple');
    await userEvent.click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByText('Ada')).toBeInTheDocument();
    expect(hasSessionHint()).toBe(true);
    await userEvent.click(screen.getByRole('button', { name: 'Log out' }));
    expect(await screen.findByRole('link', { name: 'Log in' })).toBeInTheDocument();
    expect(hasSessionHint()).toBe(false);
  });
});

describe('ApiClient.restore', () => {
  const answer = (_input: RequestInfo | URL, _init?: RequestInit) =>
    Promise.resolve(
      new Response(JSON.stringify(session(['user'])), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      }),
    );

  it('asks nothing without the session hint', async () => {
    const fetchImpl = vi.fn(answer);
    const client = new ApiClient(fetchImpl, () => false);
    await expect(client.restore()).resolves.toBe(false);
    expect(fetchImpl).not.toHaveBeenCalled();
    expect(client.currentSession).toBeNull();
  });

  it('renews the access token once with the hint, even when asked twice at once', async () => {
    const fetchImpl = vi.fn(answer);
    const client = new ApiClient(fetchImpl, () => true);
    await expect(Promise.all([client.restore(), client.restore()])).resolves.toEqual([true, true]);
    expect(fetchImpl).toHaveBeenCalledTimes(1);
    expect(fetchImpl.mock.calls[0]?.[0]).toBe('/api/auth/refresh');
    expect(client.currentSession?.user.name).toBe('Ada');
    await expect(client.restore()).resolves.toBe(true);
    expect(fetchImpl).toHaveBeenCalledTimes(1);
  });

  it('reads the hint from document.cookie', () => {
    expect(hasSessionHint()).toBe(false);
    setSessionHint(true);
    expect(hasSessionHint()).toBe(true);
    document.cookie = 'other=1; path=/';
    expect(hasSessionHint()).toBe(true);
    setSessionHint(false);
    expect(hasSessionHint()).toBe(false);
    document.cookie = 'other=; path=/; max-age=0';
  });
});
