import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { NATIVE_SERVICES, portAcceptsConnections, repoRoot } from '@platform/devstack';

/**
 * `npm start`, then Ctrl-C as a terminal sends it: SIGINT to the whole foreground process group.
 * Every service must get exactly one SIGTERM (from the launcher), shut down cleanly, and the
 * database stop last; the launcher exits 0 and leaves nothing listening.
 */
const START = join(repoRoot, 'tools', 'devstack', 'dist', 'start.js');
const READY = 'Press Ctrl-C to stop.';

jest.setTimeout(300_000);

test('Ctrl-C stops every service gracefully with one SIGTERM each, the database last', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'npm-start-'));
  // A process group of its own, as a shell gives a foreground job.
  const launcher = spawn(process.execPath, [START], {
    cwd: repoRoot,
    detached: true,
    env: { ...process.env, LOG_LEVEL: 'info', PLATFORM_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  for (const stream of [launcher.stdout, launcher.stderr])
    createInterface({ input: stream }).on('line', (line) => lines.push(line));
  const exited = once(launcher, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  try {
    const started = Date.now();
    while (!lines.includes(READY)) {
      if (launcher.exitCode !== null) throw new Error(`npm start exited early:\n${lines.join('\n')}`);
      if (Date.now() - started > 180_000) throw new Error(`not ready in 180 s:\n${lines.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const ready = lines.length;

    process.kill(-(launcher.pid as number), 'SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`still running 60 s after Ctrl-C:\n${lines.join('\n')}`)),
        60_000,
      );
    });
    const [code, signal] = await Promise.race([exited, timeout]).finally(() => clearTimeout(timer));
    expect({ code, signal }).toEqual({ code: 0, signal: null });

    const after = lines.slice(ready);
    expect(after.join('\n')).not.toMatch(/second signal/);
    const logOf = (service: string, message: string) =>
      after.filter((line) => new RegExp(`^\\S+ ${service}\\s+\\S+\\s+${message}( |$)`).test(line));
    const apis = NATIVE_SERVICES.map((service) => service.name);
    for (const service of apis) {
      expect(logOf(service, 'signal received')).toEqual([
        expect.stringMatching(/ signal received signal=SIGTERM$/),
      ]);
      expect(logOf(service, 'stopped')).toHaveLength(1);
      expect(after.filter((line) => line.endsWith(` ${service.padEnd(10)} exited (code 0)`))).toHaveLength(1);
    }
    // The services are down before the database is stopped, and the launcher ends after it.
    const lastServiceStop = Math.max(
      ...apis.map((service) => after.indexOf(logOf(service, 'stopped')[0] ?? '')),
    );
    const databaseStop = after.indexOf('stopping the database…');
    expect(databaseStop).toBeGreaterThan(lastServiceStop);
    expect(after[after.length - 1]).toBe('stopped.');
    for (const service of NATIVE_SERVICES) {
      expect(await portAcceptsConnections(service.port)).toBe(false);
      expect(await portAcceptsConnections(service.managementPort)).toBe(false);
    }
  } finally {
    if (launcher.exitCode === null && launcher.signalCode === null)
      process.kill(-(launcher.pid as number), 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});
