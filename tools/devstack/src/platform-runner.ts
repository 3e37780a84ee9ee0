/**
 * Runs the whole platform natively, as `npm start` does: the database (MONGO_URL, a mongod on
 * PATH, or the embedded FerretDB), the seed, every service on its port (docs/contract.md §1) in start order, the
 * web app's dev server and, when HAProxy is installed, the edge on 8080. The end-to-end tests
 * start the platform through this same function.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { launchDatabase, portAcceptsConnections } from './database/launcher';
import { eventually } from './eventually';
import { adminFromEnv, NATIVE_SERVICES, serviceEntry } from './platform';
import { seedPlatform } from './seed';
import type { SupervisedProcess } from './supervised';
import { spawnSupervised } from './supervised';
import { findOnPath, repoRoot } from './tools';

export const EDGE_PORT = 8080;
export const EDGE_STATS_PORT = 8404;
export const WEB_PORT = 5173;

export interface PlatformOptions {
  /** Where the database keeps its data; by default a temporary directory removed on stop. */
  dataDir?: string;
  /** Receives every line a service prints (JSON logs), with the service's name. */
  onLog?: (service: string, line: string) => void;
  /** Called when a service exits without being asked to; the platform is then stopped. */
  onServiceExit?: (service: string, how: string) => void;
}

export interface RunningPlatform {
  /** Where a person opens the app: the edge when HAProxy runs, else the web dev server. */
  webUrl: string;
  edge: boolean;
  databaseKind: string;
  admin: { email: string; password: string };
  seedSummaries: string[];
  /** Stops one service (to see how the rest behaves without it). */
  stopService: (name: string) => Promise<void>;
  /** Stops the services (each with one SIGTERM), then the web app and the edge, the database last. */
  stop: (progress?: (step: string) => void) => Promise<void>;
}

/** Vite's command-line entry (its package exports do not include the bin file itself). */
function viteCli(): string {
  const manifest = require.resolve('vite/package.json');
  const { bin } = JSON.parse(readFileSync(manifest, 'utf8')) as { bin: { vite: string } };
  return join(dirname(manifest), bin.vite);
}

async function readyz(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** A service's time to drain and close after SIGTERM (its shutdown delay and timeout, and a margin). */
const SERVICE_GRACE_MS = 20_000;

/** Waits for a port, failing early with the helper's output if it exits instead. */
async function waitForHelper(helper: SupervisedProcess, name: string, port: number, timeoutMs: number) {
  await eventually(async () => {
    const failed = helper.exitReason();
    if (failed) throw new Error(`${name}: ${failed}\n${helper.output()}`);
    return portAcceptsConnections(port);
  }, timeoutMs);
}

export async function startPlatform(options: PlatformOptions = {}): Promise<RunningPlatform> {
  const haproxy = findOnPath('haproxy');
  const ports: [number, string][] = NATIVE_SERVICES.flatMap((service): [number, string][] => [
    [service.port, service.name],
    [service.managementPort, service.name],
  ]);
  ports.push([WEB_PORT, 'web app']);
  if (haproxy) ports.push([EDGE_PORT, 'haproxy'], [EDGE_STATS_PORT, 'haproxy stats']);
  const busy: string[] = [];
  for (const [port, owner] of ports) if (await portAcceptsConnections(port)) busy.push(`${port} (${owner})`);
  if (busy.length > 0)
    throw new Error(`ports already in use: ${busy.join(', ')}. Is the platform already running?`);

  const database = await launchDatabase(options.dataDir ? { dataDir: options.dataDir } : {});
  const admin = adminFromEnv();
  const children = new Map<string, SupervisedProcess>();
  const helpers: SupervisedProcess[] = [];
  let stopping = false;
  const stop = async (progress: (step: string) => void = () => undefined) => {
    stopping = true;
    progress('stopping the services…');
    await Promise.all([...children.values()].map((child) => child.stop()));
    progress('stopping the web app and the edge…');
    for (const helper of helpers) await helper.stop();
    progress('stopping the database…');
    await database.stop();
  };

  try {
    const seedSummaries = await seedPlatform({ databaseUrl: database.urlFor, admin });
    // In order, each ready before the next starts: items and discounts fetch auth's keys, discounts calls items.
    for (const service of NATIVE_SERVICES) {
      // Supervised: stopped with one SIGTERM, and never left running if this process dies.
      const child: SupervisedProcess = spawnSupervised(
        process.execPath,
        [serviceEntry(service.name, 'main')],
        {
          env: {
            NODE_ENV: 'development',
            LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
            PORT: String(service.port),
            MANAGEMENT_PORT: String(service.managementPort),
            ...service.env({ databaseUrl: database.urlFor, admin }),
          },
          cwd: repoRoot,
          graceMs: SERVICE_GRACE_MS,
          onLine: (line) => options.onLog?.(service.name, line),
          onExit: (how) => {
            if (!stopping && children.get(service.name) === child) options.onServiceExit?.(service.name, how);
            // Asked to stop: how it ended (`exited (code 0)` after a clean shutdown).
            else options.onLog?.(service.name, how.replace(/^\S+ /, ''));
          },
        },
      );
      children.set(service.name, child);
      await eventually(async () => {
        const failed = child.exitReason();
        if (failed) throw new Error(`${service.name} exited during start-up: ${failed}\n${child.output()}`);
        return readyz(service.managementPort);
      }, 60_000);
    }

    // The web app's dev server; its own proxy carries the edge routing table when HAProxy is absent.
    const web = spawnSupervised(process.execPath, [viteCli(), join(repoRoot, 'apps', 'frontend')]);
    helpers.push(web);
    await waitForHelper(web, "the web app's dev server", WEB_PORT, 60_000);
    if (haproxy) {
      const edge = spawnSupervised(haproxy, [
        '-W',
        '-db',
        '-f',
        join(repoRoot, 'deploy', 'haproxy', 'haproxy.cfg'),
      ]);
      helpers.push(edge);
      await waitForHelper(edge, 'haproxy', EDGE_PORT, 15_000);
    }

    return {
      webUrl: `http://localhost:${haproxy ? EDGE_PORT : WEB_PORT}`,
      edge: Boolean(haproxy),
      databaseKind: database.kind,
      admin,
      seedSummaries,
      stopService: async (name) => {
        const child = children.get(name);
        if (!child) throw new Error(`no service named ${name}`);
        children.delete(name);
        await child.stop();
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
