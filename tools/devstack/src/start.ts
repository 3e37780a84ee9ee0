/** `npm start`: the platform on this machine without Docker, until Ctrl-C. */
import { join } from 'node:path';
import { formatLogLine } from './log-format';
import { NATIVE_SERVICES } from './platform';
import type { RunningPlatform } from './platform-runner';
import { EDGE_STATS_PORT, startPlatform, WEB_PORT } from './platform-runner';
import { repoRoot } from './tools';

const colour = process.stdout.isTTY;
const say = (text: string) => process.stdout.write(`${text}\n`);

async function main(): Promise<void> {
  say('starting the platform…');
  // Signals can arrive while the platform is still starting.
  const running: { platform?: RunningPlatform } = {};
  let stopping = false;
  const stopAll = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    say('\nstopping…');
    await running.platform?.stop(say);
    say('stopped.');
    process.exit(exitCode);
  };
  // Ctrl-C reaches only this process: every server runs in a process group of its own and is
  // stopped from here, the services first, the database last.
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  process.on('SIGHUP', () => void stopAll(0));
  // The servers do not keep this process alive (they are stopped with it, however it ends).
  setInterval(() => undefined, 60_000);

  const platform = await startPlatform({
    // PLATFORM_DATA_DIR: where the embedded database keeps its data (default .data/db).
    dataDir: process.env.PLATFORM_DATA_DIR ?? join(repoRoot, '.data', 'db'),
    onLog: (service, line) => say(formatLogLine(service, line, colour)),
    onServiceExit: (service, how) => {
      say(`${service} exited unexpectedly (${how}); stopping the platform.`);
      void stopAll(1);
    },
  });

  running.platform = platform;
  const edgeLine = platform.edge
    ? `  web app    ${platform.webUrl}   (through HAProxy, the edge routing table of docs/contract.md §5; stats http://localhost:${EDGE_STATS_PORT}/stats)`
    : `  web app    ${platform.webUrl}   (notice: haproxy is not installed, so the Vite dev server on ${WEB_PORT} proxies /api with the same routing table; apt-get install haproxy for the real edge)`;
  const rows = NATIVE_SERVICES.map(
    (service) =>
      `  ${service.name.padEnd(10)} http://localhost:${service.port}/api/${service.name}   (health, metrics: http://localhost:${service.managementPort})`,
  );
  say(
    [
      ...platform.seedSummaries,
      `database: ${platform.databaseKind}`,
      '',
      'The platform is running:',
      edgeLine,
      ...rows,
      '',
      `  admin login: ${platform.admin.email} / ${platform.admin.password}   (development only; set ADMIN_EMAIL and ADMIN_PASSWORD to change)`,
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
