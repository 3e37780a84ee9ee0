/**
 * `npm start`: the platform on this machine without Docker. Starts the database (MONGO_URL, a
 * mongod on PATH, or the embedded FerretDB), then every service on its SPEC port, prints where
 * everything is, and stops all of it on Ctrl-C.
 */
import type { ChildProcessByStdio } from 'node:child_process';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { LocalDatabase } from './database/launcher';
import { launchDatabase, portAcceptsConnections } from './database/launcher';
import { eventually } from './eventually';
import { formatLogLine } from './log-format';
import type { NativeService } from './platform';
import { adminFromEnv, NATIVE_SERVICES, serviceEntry } from './platform';
import { seedPlatform } from './seed';
import type { SupervisedProcess } from './supervised';
import { spawnSupervised } from './supervised';
import { findOnPath, repoRoot } from './tools';

const EDGE_PORT = 8080;
const EDGE_STATS_PORT = 8404;
const WEB_PORT = 5173;

type Child = ChildProcessByStdio<null, Readable, Readable>;

const colour = process.stdout.isTTY;
const say = (text: string) => process.stdout.write(`${text}\n`);

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

function startService(service: NativeService, env: Record<string, string>): Child {
  const child = spawn(process.execPath, [serviceEntry(service.name, 'main')], {
    cwd: repoRoot,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
      PORT: String(service.port),
      MANAGEMENT_PORT: String(service.managementPort),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => say(formatLogLine(service.name, line, colour)));
  }
  return child;
}

async function main(): Promise<void> {
  const busy = [];
  const ports = NATIVE_SERVICES.flatMap((service) => [
    [service.port, service.name],
    [service.managementPort, service.name],
  ]);
  ports.push([WEB_PORT, 'frontend']);
  if (findOnPath('haproxy')) ports.push([EDGE_PORT, 'haproxy'], [EDGE_STATS_PORT, 'haproxy stats']);
  for (const [port, owner] of ports) {
    if (await portAcceptsConnections(port as number)) busy.push(`${port} (${owner})`);
  }
  if (busy.length > 0) {
    throw new Error(`ports already in use: ${busy.join(', ')}. Is the platform already running?`);
  }

  say('starting the database…');
  const database: LocalDatabase = await launchDatabase({ dataDir: join(repoRoot, '.data', 'db') });
  say(
    `database: ${database.kind} at ${database.url}${database.dataDir ? ` (data in ${database.dataDir})` : ''}`,
  );

  const admin = adminFromEnv();
  for (const line of await seedPlatform({ databaseUrl: database.urlFor, admin })) say(line);
  const children = new Map<string, Child>();
  let edge: SupervisedProcess | undefined;
  // The web app's dev server; its own proxy carries the edge routing table when HAProxy is absent.
  const web = spawnSupervised(process.execPath, [viteCli(), join(repoRoot, 'apps', 'frontend')]);
  let stopping = false;

  const stopAll = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    say('\nstopping…');
    await Promise.all(
      [...children.values()].map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }),
    );
    await edge?.stop();
    await web.stop();
    await database.stop();
    say('stopped.');
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  // In order, each ready before the next starts: items and discounts fetch auth's keys, discounts calls items.
  for (const service of NATIVE_SERVICES) {
    const child = startService(service, service.env({ databaseUrl: database.urlFor, admin }));
    children.set(service.name, child);
    child.once('exit', (code, signal) => {
      if (stopping) return;
      say(
        `${service.name} exited unexpectedly (${signal ?? `code ${String(code)}`}); stopping the platform.`,
      );
      void stopAll(1);
    });
    await eventually(() => readyz(service.managementPort), 60_000);
  }

  await eventually(async () => {
    const failed = web.exitReason();
    if (failed) throw new Error(`the web app's dev server: ${failed}\n${web.output()}`);
    return portAcceptsConnections(WEB_PORT);
  }, 60_000);

  const haproxy = findOnPath('haproxy');
  if (haproxy) {
    edge = spawnSupervised(haproxy, ['-W', '-db', '-f', join(repoRoot, 'deploy', 'haproxy', 'haproxy.cfg')]);
    await eventually(async () => {
      const failed = edge?.exitReason();
      if (failed) throw new Error(`haproxy: ${failed}\n${edge?.output() ?? ''}`);
      return portAcceptsConnections(EDGE_PORT);
    }, 15_000);
  }
  const edgeLine = haproxy
    ? `  web app    http://localhost:${EDGE_PORT}   (through HAProxy, the SPEC routing table; stats http://localhost:${EDGE_STATS_PORT}/stats)`
    : `  web app    http://localhost:${WEB_PORT}   (notice: haproxy is not installed, so the Vite dev server proxies /api with the same routing table; apt-get install haproxy for the real edge)`;
  const rows = NATIVE_SERVICES.map(
    (service) =>
      `  ${service.name.padEnd(10)} http://localhost:${service.port}/api/${service.name}   (health, metrics: http://localhost:${service.managementPort})`,
  );
  say(
    [
      '',
      'The platform is running:',
      edgeLine,
      ...rows,
      '',
      `  admin login: ${admin.email} / ${admin.password}   (development only; set ADMIN_EMAIL and ADMIN_PASSWORD to change)`,
      '',
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`npm start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
