/** Runs one measurement in a fresh Node process, with a time limit. */
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { isChildMeasurement, type ChildMeasurement } from './measurement';

export type RunStatus = 'ok' | 'threw' | 'timed out' | 'crashed';

export interface RunOutcome {
  status: RunStatus;
  /** What the child measured; absent when it timed out or died before reporting. */
  measurement?: ChildMeasurement;
  /** From spawn to exit, seen by the parent: Node's start, loading, the run and the exit. */
  childTotalMs: number;
  /** The child's own exit: code or signal. */
  processExit: { code: number | null; signal: NodeJS.Signals | null };
  /** The last part of the child's stderr (a crash's message, a heap-limit report). */
  stderrTail: string;
}

const TAIL_LIMIT = 4000;
const STDOUT_LIMIT = 1_000_000;

/** The child being measured, so that an interrupt can stop it. */
let current: ChildProcess | undefined;

export function killCurrentChild(): void {
  if (current && current.exitCode === null && current.signalCode === null) current.kill('SIGKILL');
}

function lastMeasurement(stdout: string): ChildMeasurement | undefined {
  const lines = stdout.trimEnd().split('\n');
  for (let index = lines.length - 1; index >= 0; index--) {
    const line = lines[index] ?? '';
    if (!line.startsWith('{')) continue;
    try {
      const parsed: unknown = JSON.parse(line);
      if (isChildMeasurement(parsed)) return parsed;
    } catch {
      // not the measurement line
    }
  }
  return undefined;
}

export function runMeasured(
  childScript: string,
  modulePath: string,
  args: string[],
  timeoutMs: number,
): Promise<RunOutcome> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [childScript, modulePath, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    current = child;
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (stdout.length < STDOUT_LIMIT) stdout += chunk;
    });
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-TAIL_LIMIT);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      current = undefined;
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      current = undefined;
      const childTotalMs = performance.now() - started;
      const measurement = timedOut ? undefined : lastMeasurement(stdout);
      let status: RunStatus;
      if (timedOut) status = 'timed out';
      else if (!measurement) status = 'crashed';
      else status = measurement.error !== undefined ? 'threw' : 'ok';
      resolve({
        status,
        ...(measurement ? { measurement } : {}),
        childTotalMs,
        processExit: { code, signal },
        stderrTail: stderr,
      });
    });
  });
}
