import type { ChildProcessByStdio } from 'node:child_process';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

// Always the compiled supervisor, also when this module runs from its TypeScript source (tests).
const SUPERVISOR = join(__dirname, '..', 'dist', 'database', 'supervise.js');

export interface SupervisedProcess {
  /** The last lines the process printed (stdout and stderr). */
  output: () => string;
  /** Set once the process has exited, saying how. */
  exitReason: () => string | undefined;
  /** Stops the process (SIGTERM, then SIGKILL); `keepData` keeps the cleanup directory. */
  stop: (options?: { keepData?: boolean }) => Promise<void>;
}

/**
 * Runs a long-lived helper (a database, an edge router) under the supervisor, which stops it when
 * this process goes away, however it ends. It never keeps this process alive on its own.
 */
export function spawnSupervised(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; cleanupDir?: string } = {},
): SupervisedProcess {
  const child: ChildProcessByStdio<Writable, Readable, Readable> = spawn(
    process.execPath,
    [SUPERVISOR, options.cleanupDir ?? '-', command, ...args],
    { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...options.env } },
  );
  const lines: string[] = [];
  const remember = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - 40));
  };
  child.stdout.on('data', remember);
  child.stderr.on('data', remember);
  let reason: string | undefined;
  const exited = once(child, 'exit').then(([code, signal]) => {
    reason = `${command} exited (${String(signal ?? `code ${String(code)}`)})`;
  });
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    (stream as unknown as { unref?: () => void }).unref?.();
  }
  return {
    output: () => lines.join('\n'),
    exitReason: () => reason,
    stop: async ({ keepData = false } = {}) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin.end(keepData ? 'keep\n' : undefined);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
