import { KeyObject } from 'node:crypto';
import type { RemoteJWKSet } from 'jose';
import { createRemoteJWKSet, customFetch, errors } from 'jose';
import type { Logger } from '../logger';
import type { ServiceMetrics } from '../metrics';
import { fetchUpstreamJson } from '../http/upstream';
import type { KeyResolver, SignedTokenHeader, SigningAlgorithm } from './keys';
import { KeyRefusal } from './keys';

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

interface KeySet {
  keys: Record<string, unknown>[];
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** What jose accepts as a key set, so that anything else is counted as an invalid response. */
function asKeySet(body: unknown): KeySet | undefined {
  if (!isPlainObject(body) || !Array.isArray(body.keys)) return undefined;
  const keys: unknown[] = body.keys;
  return keys.every(isPlainObject) ? { keys } : undefined;
}

const unknownKey = () => new KeyRefusal('unknown_key', 'Access token was signed with an unknown key');
const unavailable = (error: unknown) =>
  new KeyRefusal('keys_unavailable', error instanceof Error ? error.message : String(error));

/**
 * The auth service's JWKS, held by jose's remote key set: jose fetches it (one request at a time),
 * checks it, and picks the key matching a token's `kid` and `alg`. That key is turned into a
 * KeyObject once and kept by kid until the next fetch, so a token naming a known key costs a map
 * lookup. When to fetch is decided here, because jose's own rules differ from the platform's: the
 * set is fetched again after `cacheTtlMs`, and early when a token names an unknown `kid` (at most
 * `unknownKidRefetchesPerMinute` a minute, however recent the last fetch). jose replaces its keys
 * only after a successful fetch, so while auth is unreachable the keys already known keep working.
 */
export class JwksClient implements KeyResolver {
  private readonly remote: RemoteJWKSet;
  /** When the set was last fetched successfully; 0 while it never was. */
  private fetchedAt = 0;
  /** Counts successful fetches, so a key matched in an older set is not kept. */
  private generation = 0;
  /** The key jose matched for each kid of the current set, ready for verifying. */
  private matched = new Map<string, { alg: SigningAlgorithm; key: KeyObject }>();
  private unknownKidRefetches: number[] = [];
  private readonly timeoutMs: number;
  private readonly cacheTtlMs: number;
  private readonly unknownKidRefetchesPerMinute: number;

  constructor(private readonly options: JwksClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.cacheTtlMs = options.cacheTtlMs ?? 10 * 60_000;
    this.unknownKidRefetchesPerMinute = options.unknownKidRefetchesPerMinute ?? 6;
    this.remote = createRemoteJWKSet(new URL(options.url), {
      timeoutDuration: this.timeoutMs,
      // Never stale and never cooling down for jose: every fetch is started by refresh() below.
      cacheMaxAge: Infinity,
      cooldownDuration: Infinity,
      [customFetch]: (url) => this.fetchKeySet(url),
    });
  }

  keyFor(header: SignedTokenHeader): KeyObject | Promise<KeyObject> {
    const now = Date.now();
    if (now - this.fetchedAt <= this.cacheTtlMs) {
      const known = this.matched.get(header.kid);
      if (known?.alg === header.alg) return known.key;
    }
    return this.lookUp(header, now);
  }

  private async lookUp(header: SignedTokenHeader, now: number): Promise<KeyObject> {
    const refresh = now - this.fetchedAt > this.cacheTtlMs ? await this.refreshKeepingKnownKeys() : 'not_due';
    const found = await this.match(header);
    if (found) return found;
    if (this.publishes(header.kid)) {
      throw new KeyRefusal('unsupported_algorithm', 'Access token algorithm does not match its key');
    }
    if (refresh === 'failed') throw unavailable('the key is not known and the key set cannot be fetched');
    // A set fetched for this very token is not fetched again.
    if (refresh === 'fetched' || !this.takeUnknownKidRefetch(now)) throw unknownKey();
    try {
      await this.refresh();
    } catch (error) {
      throw unavailable(error);
    }
    const refetched = await this.match(header);
    if (refetched) return refetched;
    throw unknownKey();
  }

  /** jose's choice of key in the current set, kept for later tokens; undefined when none fits. */
  private async match(header: SignedTokenHeader): Promise<KeyObject | undefined> {
    const generation = this.generation;
    let key: KeyObject;
    try {
      key = KeyObject.from(await this.remote({ alg: header.alg, kid: header.kid }));
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey) return undefined;
      throw error;
    }
    if (generation === this.generation) this.matched.set(header.kid, { alg: header.alg, key });
    return key;
  }

  /** Fetches the set now; concurrent calls share one request. */
  async refresh(): Promise<void> {
    await this.remote.reload();
    this.fetchedAt = Date.now();
    this.generation++;
    this.matched.clear();
  }

  /** A failed fetch keeps the keys fetched earlier; without any, the keys are unavailable. */
  private async refreshKeepingKnownKeys(): Promise<'fetched' | 'failed'> {
    try {
      await this.refresh();
      return 'fetched';
    } catch (error) {
      if (this.fetchedAt === 0) throw unavailable(error);
      this.options.logger.warn({ err: error }, 'JWKS refresh failed; using the cached keys');
      return 'failed';
    }
  }

  /** Whether the current set lists the kid at all (called only when no key matched). */
  private publishes(kid: string): boolean {
    return this.remote.jwks()?.keys.some((key) => key.kid === kid) ?? false;
  }

  private takeUnknownKidRefetch(now: number): boolean {
    this.unknownKidRefetches = this.unknownKidRefetches.filter((at) => now - at < 60_000);
    if (this.unknownKidRefetches.length >= this.unknownKidRefetchesPerMinute) return false;
    this.unknownKidRefetches.push(now);
    return true;
  }

  /** jose's fetch, timed in the service's metrics like every other outbound call. */
  private async fetchKeySet(url: string): Promise<Response> {
    const keySet = await fetchUpstreamJson({
      target: 'auth_jwks',
      url,
      timeoutMs: this.timeoutMs,
      parse: asKeySet,
      metrics: this.options.metrics,
      fetch: this.options.fetch,
    });
    this.options.logger.debug({ kids: keySet.keys.map((key) => key.kid) }, 'JWKS fetched');
    // The body was read and checked above; jose takes the set as a Response.
    return Response.json(keySet);
  }
}
