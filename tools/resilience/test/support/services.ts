import { generateKeyPairSync } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { ServiceProcess } from '@platform/devstack';
import { eventually, spawnServiceProcess } from '@platform/devstack';

const ISSUER = 'https://auth.resilience.test';
const AUDIENCE = 'platform';
const ADMIN = { email: 'admin@resilience.test', password: 'admin password for resilience' };

export type ServiceName = 'auth' | 'items' | 'discounts';

export interface RunningProcess extends ServiceProcess {
  name: ServiceName;
  /** Sends SIGTERM unless the process has exited, and waits (SIGKILL after 15 s) for it to go. */
  stop: () => Promise<void>;
}

/** Preloaded into a service by the memory test: a full GC and a memory report on SIGUSR2. */
export const MEMORY_PROBE = join(__dirname, 'memory-probe.cjs');

/** The built entry point, as a container runs it: apps/<name>/dist/main.js next to the package's main. */
const entryOf = (name: ServiceName) => join(dirname(require.resolve(`@platform/${name}`)), 'main.js');

/** GET with a deadline, returning the status (0 when there was no answer in time). */
export async function statusOf(url: string, timeoutMs = 2000): Promise<number> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

/** JSON request with a deadline; throws unless the status is the expected one. */
export async function call<T>(
  url: string,
  init: { method?: string; token?: string; body?: unknown; expect: number },
): Promise<T> {
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: {
      accept: 'application/json',
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status !== init.expect) {
    throw new Error(`${init.method ?? 'GET'} ${url}: expected ${init.expect}, got ${res.status}: ${text}`);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

/**
 * Starts a built service as its own process (`node apps/<name>/dist/main.js`) on free loopback
 * ports and waits until its readiness probe answers 200.
 */
export async function startServiceProcess(
  name: ServiceName,
  env: Record<string, string>,
): Promise<RunningProcess> {
  // Info level: spawnServiceProcess learns the ports from the "listening" line.
  const service = await spawnServiceProcess(name, entryOf(name), {
    NODE_ENV: 'test',
    PORT: '0',
    MANAGEMENT_PORT: '0',
    LOG_LEVEL: 'info',
    ...env,
  });
  const running: RunningProcess = {
    ...service,
    name,
    stop: async () => {
      const { child } = service;
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await service.exited;
      clearTimeout(timer);
    },
  };
  try {
    await eventually(async () => {
      if (service.child.exitCode !== null) throw new Error(`${name} exited:\n${service.output()}`);
      return (await statusOf(`${service.management}/readyz`)) === 200;
    }, 60_000);
  } catch (error) {
    await running.stop();
    throw error;
  }
  return running;
}

export interface RunningAuth {
  process: RunningProcess;
  /** What a token-verifying service needs to trust this auth. */
  verifierEnv: Record<string, string>;
  login: (who: { email: string; password: string }) => Promise<string>;
  adminToken: () => Promise<string>;
  /** Registers a new plain user and returns an access token for it. */
  userToken: () => Promise<string>;
}

let users = 0;

/** The auth service as a process, with an admin, its own signing key and cheap password hashing. */
export async function startAuth(mongoUrl: string, env: Record<string, string> = {}): Promise<RunningAuth> {
  const privateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  const auth = await startServiceProcess('auth', {
    MONGO_URL: mongoUrl,
    JWT_PRIVATE_KEY: privateKey,
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    // Login cost is not what these tests measure.
    PASSWORD_SCRYPT_N: '1024',
    PASSWORD_SCRYPT_P: '1',
    ...env,
  });
  const login = async (who: { email: string; password: string }) =>
    (
      await call<{ accessToken: string }>(`${auth.api}/api/auth/login`, {
        method: 'POST',
        body: who,
        expect: 200,
      })
    ).accessToken;
  return {
    process: auth,
    verifierEnv: {
      AUTH_JWKS_URL: `${auth.api}/api/auth/jwks.json`,
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
    },
    login,
    adminToken: () => login(ADMIN),
    userToken: async () => {
      users += 1;
      const user = { email: `user.${process.pid}.${users}@resilience.test`, password: 'a user password' };
      await call(`${auth.api}/api/auth/register`, { method: 'POST', body: user, expect: 201 });
      return login(user);
    },
  };
}

interface ItemInput {
  name: string;
  priceCents: number;
  currency: string;
  category: string;
}

export const itemInput = (name: string, priceCents = 1250): ItemInput => ({
  name,
  priceCents,
  currency: 'EUR',
  category: 'resilience',
});

/** Creates items one by one through the API (each write acknowledged) and returns their ids. */
export async function createItems(itemsApi: string, token: string, names: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const name of names) {
    const { item } = await call<{ item: { id: string } }>(`${itemsApi}/api/items`, {
      method: 'POST',
      token,
      body: itemInput(name),
      expect: 201,
    });
    ids.push(item.id);
  }
  return ids;
}

/** The status the service logged for each request id it handled (the kit logs one line per request). */
export function requestLog(output: string): Map<string, number> {
  const handled = new Map<string, number>();
  for (const line of output.split('\n')) {
    if (!line.startsWith('{') || !line.includes('"req":')) continue;
    const entry = JSON.parse(line) as { req?: { id?: string }; res?: { statusCode?: number } };
    if (entry.req?.id && entry.res?.statusCode) handled.set(entry.req.id, entry.res.statusCode);
  }
  return handled;
}

/** The service's own log lines (not one per request), the last `count`: what a failure message needs. */
export function serviceEvents(output: string, count = 30): string {
  return output
    .split('\n')
    .filter((line) => line && !line.includes('"req":'))
    .slice(-count)
    .join('\n');
}

/** The readiness report, whatever its status, for failure messages. */
export async function readinessReport(service: ServiceProcess): Promise<string> {
  try {
    const res = await fetch(`${service.management}/readyz`, { signal: AbortSignal.timeout(3000) });
    return `${res.status} ${await res.text()}`;
  } catch (error) {
    return `no answer: ${String(error)}`;
  }
}
