/**
 * Runs a server (a database, a service, an edge router) as a child and stops it when the process
 * that launched us goes away:
 * our stdin is a pipe from that process, and it closes however the launcher ends (exit, crash,
 * SIGKILL), so no server is ever orphaned. The data directory is removed after the server exits,
 * unless the launcher wrote `keep` on the pipe first (a restart that must find its data).
 * The launcher starts us in a process group of our own, so a terminal's Ctrl-C reaches only the
 * launcher, and the server gets exactly one SIGTERM: ours. SUPERVISE_GRACE_MS (default 5000) is
 * how long the server has to stop before SIGKILL.
 * Usage: supervise <cleanup-dir|-> <command> [args...]
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';

const [cleanupDir, command, ...args] = process.argv.slice(2);
if (!cleanupDir || !command) {
  process.stderr.write('usage: supervise <cleanup-dir|-> <command> [args...]\n');
  process.exit(2);
}

const grace = Number(process.env.SUPERVISE_GRACE_MS ?? 5000);
const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
let stopping = false;
let keepData = false;

function stop(): void {
  if (stopping) return;
  stopping = true;
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), grace).unref();
}

child.on('exit', (code, signal) => {
  if (cleanupDir !== '-' && !keepData) rmSync(cleanupDir, { recursive: true, force: true });
  // Asked to stop, a server that exits by the signal stopped as asked; its own exit code is kept.
  process.exit(stopping ? (code ?? 0) : (code ?? (signal ? 1 : 0)));
});
child.on('error', (error) => {
  process.stderr.write(`supervise: cannot run ${command}: ${error.message}\n`);
  process.exit(127);
});

process.stdin.on('data', (chunk: Buffer) => {
  if (chunk.toString().includes('keep')) keepData = true;
});
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
