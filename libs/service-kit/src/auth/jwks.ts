import type { Logger } from '../logger';
import type { ServiceMetrics } from '../metrics';
import { fetchUpstreamJson } from '../http/upstream';
import type { KeyResolver, VerificationKey } from './keys';
import { verificationKeyFromJwk } from './keys';

export interface JwksClientOptions {
  url: string;
  logger: Logger;
  timeoutMs?: number;
  /** How long a fetched key set is used before it is fetched again. */
  cacheTtlMs?: number;
  /** Refetches caused by unknown `kid`s allowed per minute, so forged kids cannot flood auth. */
  unknownKidRefetchesPerMinute?: number;
  fetch?: typeof fetch;
  /** Where each fetch is timed, as target `auth_jwks`. */
  metrics?: ServiceMetrics;
}

export class JwksUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JwksUnavailableError';
  }
}

/**
 * Fetches and caches the auth service's JWKS. Tokens are verified locally; auth is asked again
 * only when the cache expires or a token names a key the cache does not know (rate-limited).
 * If a refresh fails, the keys already known keep working.
 */
export class JwksClient implements KeyResolver {
  private keys = new Map<string, VerificationKey>();
  private fetchedAt = 0;
  private unknownKidRefetches: number[] = [];
  private inFlight: Promise<void> | undefined;
  private readonly timeoutMs: number;
  private readonly cacheTtlMs: number;
  private readonly unknownKidRefetchesPerMinute: number;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: JwksClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.cacheTtlMs = options.cacheTtlMs ?? 10 * 60_000;
    this.unknownKidRefetchesPerMinute = options.unknownKidRefetchesPerMinute ?? 6;
    this.fetchImpl = options.fetch ?? fetch;
  }

  async resolve(kid: string): Promise<VerificationKey | undefined> {
    const now = Date.now();
    const stale = now - this.fetchedAt > this.cacheTtlMs;
    const known = this.keys.get(kid);
    if (stale || (!known && this.takeUnknownKidRefetch(now))) {
      try {
        await this.refresh();
      } catch (error) {
        if (this.keys.size === 0 || !this.keys.has(kid)) {
          throw new JwksUnavailableError(error instanceof Error ? error.message : String(error));
        }
        this.options.logger.warn({ err: error }, 'JWKS refresh failed; using the cached keys');
      }
    }
    return this.keys.get(kid);
  }

  private takeUnknownKidRefetch(now: number): boolean {
    this.unknownKidRefetches = this.unknownKidRefetches.filter((at) => now - at < 60_000);
    if (this.unknownKidRefetches.length >= this.unknownKidRefetchesPerMinute) return false;
    this.unknownKidRefetches.push(now);
    return true;
  }

  /** Fetches now (single flight). */
  refresh(): Promise<void> {
    this.inFlight ??= this.fetchKeys().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async fetchKeys(): Promise<void> {
    const listed = await fetchUpstreamJson({
      target: 'auth_jwks',
      url: this.options.url,
      timeoutMs: this.timeoutMs,
      parse: (body) => {
        const keys = (body as { keys?: unknown } | null)?.keys;
        return Array.isArray(keys) ? (keys as unknown[]) : undefined;
      },
      metrics: this.options.metrics,
      fetch: this.fetchImpl,
    });
    const keys = new Map<string, VerificationKey>();
    for (const jwk of listed) {
      const key = verificationKeyFromJwk(jwk);
      if (key) keys.set(key.kid, key);
    }
    this.keys = keys;
    this.fetchedAt = Date.now();
    this.options.logger.debug({ kids: [...keys.keys()] }, 'JWKS refreshed');
  }
}
