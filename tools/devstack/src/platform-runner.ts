/**
 * Runs the whole platform natively, as `npm start` does: the database (MONGO_URL, a mongod on
 * PATH, or the embedded FerretDB), the seed, every service on its SPEC port in start order, the
 * web app's dev server and, when HAProxy is installed, the edge on 8080. The end-to-end tests
 * start the platform through this same function.
 */
import type { ChildProcessByStdio } from 'node:child_process';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
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

type Child = ChildProcessByStdio<null, Readable, Readable>;

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
  stop: () => Promise<void>;
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

async function stopChild(child: Child): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

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
  const children = new Map<string, Child>();
  const helpers: SupervisedProcess[] = [];
  let stopping = false;
  const stop = async () => {
    stopping = true;
    await Promise.all([...children.values()].map(stopChild));
    for (const helper of helpers) await helper.stop();
    await database.stop();
  };

  try {
    const seedSummaries = await seedPlatform({ databaseUrl: database.urlFor, admin });
    // In order, each ready before the next starts: items and discounts fetch auth's keys, discounts calls items.
    for (const service of NATIVE_SERVICES) {
      const child = spawn(process.execPath, [serviceEntry(service.name, 'main')], {
        cwd: repoRoot,
        env: {
          ...process.env,
          NODE_ENV: 'development',
          LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
          PORT: String(service.port),
          MANAGEMENT_PORT: String(service.managementPort),
          ...service.env({ databaseUrl: database.urlFor, admin }),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      for (const stream of [child.stdout, child.stderr]) {
        createInterface({ input: stream }).on('line', (line) => options.onLog?.(service.name, line));
      }
      children.set(service.name, child);
      child.once('exit', (code, signal) => {
        if (!stopping && children.get(service.name) === child) {
          options.onServiceExit?.(service.name, signal ?? `code ${String(code)}`);
        }
      });
      await eventually(async () => {
        if (child.exitCode !== null) throw new Error(`${service.name} exited during start-up`);
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
        await stopChild(child);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
