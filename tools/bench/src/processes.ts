/**
 * The bench's child processes (services and baselines): each runs as its own `node <entry>`, so
 * its memory is measured alone, and every one is stopped however the run ends.
 */
import type { ChildProcessByStdio } from 'node:child_process';
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';

export interface NodeProcess {
  name: string;
  pid: number;
  /** The environment it was started with (PATH and what the caller gave). */
  env: Record<string, string>;
  /** The last lines the process printed. */
  output: () => string;
  /** Set once it has exited, saying how. */
  exitReason: () => string | undefined;
  /** SIGTERM, then SIGKILL after a grace period; resolves when it has exited. Idempotent. */
  stop: () => Promise<void>;
  /** SIGKILL now, for an exit that cannot wait. */
  kill: () => void;
}

const KEEP_LINES = 60;

/** A program that runs node (valgrind), and the flags node itself gets. */
export interface Launcher {
  command: string;
  /** The launcher's own arguments, before node's path. */
  args: string[];
  /** node's flags, before the entry. */
  nodeArgs: string[];
}
const STOP_GRACE_MS = 15_000;

/** Resolves when `probe` answers true; fails early when the process exits, or after `timeoutMs`. */
async function waitUntilReady(
  proc: NodeProcess,
  probe: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const exited = proc.exitReason();
    if (exited) throw new Error(`${proc.name} ${exited} before it was ready:\n${proc.output()}`);
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${proc.name} was not ready within ${timeoutMs} ms:\n${proc.output()}`);
}

/** True when GET `url` answers 2xx within a second. */
export async function answersOk(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** Every process the run started, stopped together in reverse start order. */
export class ProcessGroup {
  private readonly running: NodeProcess[] = [];
  private closed = false;

  /**
   * Starts `node <entry>` with only PATH and `env`, and resolves once GET `readyUrl` answers 2xx.
   * Its output is kept (the last lines) for error messages, never printed. With a `launcher`, the
   * process is `<launcher> <node> <node flags> <entry>` (valgrind execs node in the same process,
   * so the pid stays the one to control).
   */
  async start(
    name: string,
    entry: string,
    env: Record<string, string>,
    readyUrl: string,
    timeoutMs = 60_000,
    launcher?: Launcher,
  ): Promise<NodeProcess> {
    if (this.closed) throw new Error(`not starting ${name}: the run is stopping`);
    // Its own process group: a Ctrl-C at the terminal reaches the bench alone, which then stops
    // each child once, gracefully (a service takes a second signal as "exit now").
    const [command, args] = launcher
      ? [launcher.command, [...launcher.args, process.execPath, ...launcher.nodeArgs, entry]]
      : [process.execPath, [entry]];
    const childEnv = { PATH: process.env.PATH ?? '', ...env };
    const child: ChildProcessByStdio<null, Readable, Readable> = spawn(command, args, {
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const lines: string[] = [];
    const remember = (chunk: Buffer) => {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      lines.splice(0, Math.max(0, lines.length - KEEP_LINES));
    };
    child.stdout.on('data', remember);
    child.stderr.on('data', remember);
    let reason: string | undefined;
    let spawnError: Error | undefined;
    const exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        reason = `exited (${signal ?? `code ${String(code)}`})`;
        resolve();
      });
      child.once('error', (error) => {
        spawnError = error;
        reason ??= `could not run: ${error.message}`;
        if (child.pid === undefined) resolve();
      });
    });
    let stopping: Promise<void> | undefined;
    const proc: NodeProcess = {
      name,
      pid: child.pid ?? -1,
      env: childEnv,
      output: () => lines.join('\n'),
      exitReason: () => reason,
      stop: () =>
        (stopping ??= (async () => {
          if (reason === undefined) {
            child.kill('SIGTERM');
            const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
            await exited;
            clearTimeout(timer);
          }
          const index = this.running.indexOf(proc);
          if (index >= 0) this.running.splice(index, 1);
        })()),
      kill: () => {
        if (reason === undefined) child.kill('SIGKILL');
      },
    };
    if (spawnError || child.pid === undefined) {
      await exited;
      throw new Error(`cannot start ${name}: ${reason ?? 'no process id'}`);
    }
    this.running.push(proc);
    try {
      await waitUntilReady(proc, () => answersOk(readyUrl), timeoutMs);
    } catch (error) {
      await proc.stop();
      throw error;
    }
    return proc;
  }

  /** Names of the processes still running. */
  get names(): string[] {
    return this.running.map((proc) => proc.name);
  }

  /** Stops every process (newest first: a service before what it depends on); refuses new ones. */
  async stopAll(): Promise<void> {
    this.closed = true;
    for (const proc of [...this.running].reverse()) await proc.stop();
  }

  /** Kills every process at once (a second Ctrl-C: the user will not wait). */
  killAll(): void {
    this.closed = true;
    for (const proc of this.running) proc.kill();
  }
}
