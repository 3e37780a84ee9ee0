import type { ChildProcessByStdio } from 'node:child_process';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
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

export interface SupervisedOptions {
  env?: Record<string, string | undefined>;
  /** Working directory of the process (default: this one's). */
  cwd?: string;
  cleanupDir?: string;
  /** Receives every line the process prints (stdout and stderr). */
  onLine?: (line: string) => void;
  /** Called once when the process exits, with how; also when it was asked to. */
  onExit?: (reason: string) => void;
  /** How long it has to stop after SIGTERM before SIGKILL (default 5 s). */
  graceMs?: number;
}

/**
 * Runs a long-lived process (a database, a service, an edge router) under the supervisor, which
 * stops it when this process goes away, however it ends. It runs in a process group of its own:
 * a terminal's Ctrl-C reaches only this process, which stops it with exactly one SIGTERM. It never
 * keeps this process alive on its own.
 */
export function spawnSupervised(
  command: string,
  args: string[],
  options: SupervisedOptions = {},
): SupervisedProcess {
  const graceMs = options.graceMs ?? 5000;
  const child: ChildProcessByStdio<Writable, Readable, Readable> = spawn(
    process.execPath,
    [SUPERVISOR, options.cleanupDir ?? '-', command, ...args],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env, SUPERVISE_GRACE_MS: String(graceMs) },
      detached: true,
      ...(options.cwd ? { cwd: options.cwd } : {}),
    },
  );
  const lines: string[] = [];
  const remember = (line: string) => {
    lines.push(line);
    lines.splice(0, Math.max(0, lines.length - 40));
    options.onLine?.(line);
  };
  for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on('line', remember);
  let reason: string | undefined;
  const exited = once(child, 'exit').then(([code, signal]) => {
    reason = `${command} exited (${String(signal ?? `code ${String(code)}`)})`;
    options.onExit?.(reason);
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
      // The supervisor stops its child within the grace period; past it, the supervisor itself.
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs + 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
