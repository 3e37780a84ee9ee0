/**
 * The services as the bench runs them: each built service as its own process on free loopback
 * ports, in production mode with logs at `warn` (a log line per request would be measured too),
 * a signing key made for the run, and its own databases.
 */
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { freePort, repoRoot } from '@platform/devstack';
import type { Launcher, NodeProcess, ProcessGroup } from './processes';

export const JWT_ISSUER = 'http://127.0.0.1/bench';
export const JWT_AUDIENCE = 'platform';
/** auth's production password hashing cost, set explicitly so the scrypt floor uses the same. */
export const SCRYPT = { N: 65_536, r: 8, p: 2 } as const;
/**
 * How long discounts waits for items per attempt. The default (2 s) is shorter than one batch
 * lookup takes on a database that scans (FerretDB: about 3 s at 10,000 items), which would turn
 * every quote into a 503 rather than a measurement.
 */
export const ITEMS_TIMEOUT = '60s';

export const SERVICE_SETTINGS = { NODE_ENV: 'production', HOST: '127.0.0.1', LOG_LEVEL: 'warn' } as const;

export type ServiceName = 'auth' | 'items' | 'discounts';

export interface RunningService {
  name: string;
  api: string;
  process: NodeProcess;
}

export interface SigningKey {
  privateKeyPem: string;
  publicKeyPem: string;
}

export function generateSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export const serviceEntry = (name: ServiceName) => join(repoRoot, 'apps', name, 'dist', 'main.js');
/** Always the compiled entry, also when this module runs from its TypeScript source (tests). */
export const baselineEntry = () => join(__dirname, '..', 'dist', 'baseline', 'main.js');

/** `count` distinct free loopback ports. */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** How a process is started under another program (valgrind), which also makes it slower to start. */
export interface LaunchUnder {
  launcher: Launcher;
  readyTimeoutMs: number;
}

/** Starts one service (`label` names the process in the report) and waits until /readyz says ready. */
export async function startService(
  group: ProcessGroup,
  name: ServiceName,
  env: Record<string, string>,
  label: string = name,
  under?: LaunchUnder,
): Promise<RunningService> {
  const [port, managementPort] = (await freePorts(2)) as [number, number];
  const proc = await group.start(
    label,
    serviceEntry(name),
    { ...SERVICE_SETTINGS, PORT: String(port), MANAGEMENT_PORT: String(managementPort), ...env },
    `http://127.0.0.1:${managementPort}/readyz`,
    under?.readyTimeoutMs,
    under?.launcher,
  );
  return { name: label, api: `http://127.0.0.1:${port}`, process: proc };
}

export interface BenchPlatform {
  auth: RunningService;
  items: RunningService;
  discounts: RunningService;
  verifierEnv: Record<string, string>;
}

export interface PlatformDatabases {
  auth: string;
  items: string;
  discounts: string;
}

/** auth's environment: its database, the run's signing key, and the administrator it creates. */
export function authEnv(
  database: string,
  key: SigningKey,
  admin: { email: string; password: string },
): Record<string, string> {
  return {
    MONGO_URL: database,
    JWT_PRIVATE_KEY: key.privateKeyPem,
    JWT_ISSUER,
    JWT_AUDIENCE,
    // Longer than any run, so the token measured by /me never expires mid-case.
    ACCESS_TOKEN_TTL: '6h',
    ADMIN_EMAIL: admin.email,
    ADMIN_PASSWORD: admin.password,
    PASSWORD_SCRYPT_N: String(SCRYPT.N),
    PASSWORD_SCRYPT_R: String(SCRYPT.r),
    PASSWORD_SCRYPT_P: String(SCRYPT.p),
  };
}

/** discounts' environment: its database, auth's keys, and the items service it asks for prices. */
export const discountsEnv = (database: string, verifierEnv: Record<string, string>, itemsUrl: string) => ({
  MONGO_URL: database,
  ...verifierEnv,
  ITEMS_URL: itemsUrl,
  ITEMS_TIMEOUT,
});

/** auth, then items and discounts (which fetch auth's keys), then discounts (which calls items). */
export async function startPlatform(
  group: ProcessGroup,
  databases: PlatformDatabases,
  key: SigningKey,
  admin: { email: string; password: string },
): Promise<BenchPlatform> {
  const auth = await startService(group, 'auth', authEnv(databases.auth, key, admin));
  const verifierEnv = { AUTH_JWKS_URL: `${auth.api}/api/auth/jwks.json`, JWT_ISSUER, JWT_AUDIENCE };
  const items = await startService(group, 'items', { MONGO_URL: databases.items, ...verifierEnv });
  const discounts = await startService(
    group,
    'discounts',
    discountsEnv(databases.discounts, verifierEnv, items.api),
  );
  return { auth, items, discounts, verifierEnv };
}

export interface RunningBaseline {
  url: string;
  process: NodeProcess;
}

export async function startBaselineProcess(
  group: ProcessGroup,
  label: string,
  databases: { items: string; auth?: string; discounts?: string },
  publicKeyPem?: string,
  under?: LaunchUnder,
): Promise<RunningBaseline> {
  const [port] = (await freePorts(1)) as [number];
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    BASELINE_PORT: String(port),
    BASELINE_ITEMS_MONGO_URL: databases.items,
  };
  if (databases.auth && publicKeyPem) {
    Object.assign(env, {
      BASELINE_AUTH_MONGO_URL: databases.auth,
      BASELINE_JWT_PUBLIC_KEY: publicKeyPem,
      JWT_ISSUER,
      JWT_AUDIENCE,
    });
  }
  if (databases.discounts) env.BASELINE_DISCOUNTS_MONGO_URL = databases.discounts;
  const url = `http://127.0.0.1:${port}`;
  const proc = await group.start(
    label,
    baselineEntry(),
    env,
    `${url}/healthz`,
    under?.readyTimeoutMs,
    under?.launcher,
  );
  return { url, process: proc };
}

async function postJson(
  url: string,
  body: unknown,
  token?: string,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const parsed: unknown = await res.json().catch(() => undefined);
  return { status: res.status, body: parsed };
}

export async function login(auth: RunningService, who: { email: string; password: string }): Promise<string> {
  const res = await postJson(`${auth.api}/api/auth/login`, who);
  const token = (res.body as { accessToken?: unknown } | undefined)?.accessToken;
  if (res.status !== 200 || typeof token !== 'string')
    throw new Error(`logging in as ${who.email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return token;
}

/** The quote's code, and an automatic discount for one category so lines compare two rules. */
export const QUOTE_CODE = 'BENCH10';
export const BENCH_DISCOUNTS = [
  {
    code: QUOTE_CODE,
    description: 'Benchmark: 10% off everything',
    percentOff: 10,
    appliesTo: { type: 'all' },
  },
  {
    description: 'Benchmark: 15% off lighting',
    percentOff: 15,
    appliesTo: { type: 'category', category: 'lighting' },
  },
] as const;

/** Creates the benchmark's discounts through the API, as an administrator would. */
export async function createDiscounts(discounts: RunningService, adminToken: string): Promise<void> {
  for (const discount of BENCH_DISCOUNTS) {
    const res = await postJson(`${discounts.api}/api/discounts`, discount, adminToken);
    if (res.status !== 201)
      throw new Error(
        `creating the discount "${discount.description}" failed: ${res.status} ${JSON.stringify(res.body)}`,
      );
  }
}
