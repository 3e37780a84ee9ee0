import type { Session } from './types';

/** An error answer from the platform, or `NETWORK` when no service answered at all. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Field-level problems from a 400, keyed by field path. */
  fieldErrors(): Record<string, string> {
    if (!Array.isArray(this.details)) return {};
    const errors: Record<string, string> = {};
    for (const detail of this.details as { path?: unknown; message?: unknown }[]) {
      if (typeof detail.path === 'string' && typeof detail.message === 'string')
        errors[detail.path] ??= detail.message;
    }
    return errors;
  }
}

type SessionListener = (session: Session | null) => void;

/**
 * Whether auth's `session_hint` cookie is present: auth sets and clears it together with the
 * httpOnly refresh cookie, which scripts cannot see (docs/contract.md §3.3).
 */
export function hasSessionHint(): boolean {
  return typeof document !== 'undefined' && /(?:^|;\s*)session_hint=[^;\s]/.test(document.cookie);
}

/**
 * Talks to the platform's APIs on this origin. The access token lives in memory only (never in
 * storage a script could read); the refresh token is an httpOnly cookie the browser sends to
 * /api/auth. On a 401 the client renews the access token once and retries.
 */
export class ApiClient {
  private session: Session | null = null;
  private refreshing: Promise<boolean> | undefined;
  private readonly listeners = new Set<SessionListener>();

  constructor(
    private readonly fetchImpl: typeof fetch = (...args) => fetch(...args),
    private readonly sessionHint: () => boolean = hasSessionHint,
  ) {}

  get currentSession(): Session | null {
    return this.session;
  }

  onSession(listener: SessionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setSession(session: Session | null): void {
    this.session = session;
    for (const listener of this.listeners) listener(session);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send(method, path, body);
    if (response.status === 401 && this.session && path !== '/api/auth/refresh' && (await this.refresh())) {
      return this.parse<T>(await this.send(method, path, body));
    }
    return this.parse<T>(response);
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  /**
   * Restores a session on a page load: renews the access token from the refresh cookie when the
   * session hint says there is one, and sends nothing otherwise (a visitor who never logged in).
   */
  restore(): Promise<boolean> {
    if (this.session) return Promise.resolve(true);
    if (!this.sessionHint()) return Promise.resolve(false);
    return this.refresh();
  }

  /** Renews the access token from the refresh cookie; false when there is no session to renew. */
  refresh(): Promise<boolean> {
    this.refreshing ??= (async () => {
      try {
        const response = await this.send('POST', '/api/auth/refresh');
        if (!response.ok) {
          this.setSession(null);
          return false;
        }
        this.setSession((await response.json()) as Session);
        return true;
      } catch {
        return false;
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  private async send(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.session) headers.authorization = `Bearer ${this.session.accessToken}`;
    try {
      return await this.fetchImpl(path, {
        method,
        headers,
        credentials: 'same-origin',
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      throw new ApiError(0, 'NETWORK', 'The service cannot be reached. Check your connection and try again.');
    }
  }

  private async parse<T>(response: Response): Promise<T> {
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    let payload: unknown;
    try {
      payload = text ? JSON.parse(text) : undefined;
    } catch {
      payload = undefined;
    }
    if (response.ok) return payload as T;
    const error = (payload as { error?: { code?: string; message?: string; details?: unknown } } | undefined)
      ?.error;
    throw new ApiError(
      response.status,
      error?.code ?? `HTTP_${response.status}`,
      error?.message ??
        (response.status >= 500
          ? 'The service is unavailable right now. Please try again shortly.'
          : 'The request failed.'),
      error?.details,
    );
  }
}

export const api = new ApiClient();
