/**
 * Processes under valgrind's callgrind: started with instrumentation off, switched on and dumped
 * from outside with callgrind_control, always for one process id (without one, callgrind_control
 * would act on every callgrind run on the machine).
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { WorkApart } from './callgrind';
import { parseCallgrind } from './callgrind';
import { workApart } from './layers';
import type { Launcher, NodeProcess } from './processes';

const run = promisify(execFile);

/** A callgrind_control command waits for the process to take it; under heavy load that is slow. */
const CONTROL_TIMEOUT_MS = 120_000;

export interface CallgrindTools {
  valgrind: string;
  callgrindControl: string;
  /** `valgrind --version`, for the report. */
  version: string;
}

/** valgrind and callgrind_control from PATH, or why they cannot be used. */
export async function findCallgrindTools(): Promise<CallgrindTools> {
  try {
    const { stdout } = await run('valgrind', ['--version'], { timeout: 30_000 });
    await run('callgrind_control', ['--version'], { timeout: 30_000 });
    return { valgrind: 'valgrind', callgrindControl: 'callgrind_control', version: stdout.trim() };
  } catch (error) {
    throw new Error(
      `the instruction mode needs valgrind and callgrind_control on PATH (${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    );
  }
}

/**
 * callgrind's options: nothing counted until switched on (start-up and warm-up run uninstrumented),
 * one file per thread so the main thread can be told from V8's helper threads, and the control
 * pipes in the run's own directory.
 */
export function callgrindOptions(outDir: string, fileLabel: string, extra: string[] = []): string[] {
  return [
    '--tool=callgrind',
    '--instr-atstart=no',
    '--separate-threads=yes',
    ...extra,
    `--callgrind-out-file=${join(outDir, `${fileLabel}.%p`)}`,
    `--vgdb-prefix=${vgdbPrefix(outDir)}`,
  ];
}

/**
 * For a profile broken down by layer: each function named with its three nearest callers, so a
 * node many places call (V8's call trampolines, a runtime function) is split by where it was called.
 */
export const PROFILE_CALLGRIND_OPTIONS = ['--separate-callers=3'];

const vgdbPrefix = (outDir: string) => join(outDir, 'vgdb');

export function callgrindLauncher(
  tools: CallgrindTools,
  outDir: string,
  fileLabel: string,
  options: { nodeArgs: string[]; callgrindArgs?: string[] },
): Launcher {
  return {
    command: tools.valgrind,
    args: callgrindOptions(outDir, fileLabel, options.callgrindArgs),
    nodeArgs: options.nodeArgs,
  };
}

/**
 * vgdb names its pipes after USER and HOST as the process under valgrind saw them (the services get
 * HOST=127.0.0.1 as their bind address), and finds them only under the same names: callgrind_control
 * runs with the target's USER and HOST, or without them where the target had none.
 */
export function controlEnv(
  own: Record<string, string | undefined>,
  target: Record<string, string>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(own)) {
    if (value !== undefined && name !== 'USER' && name !== 'HOST') env[name] = value;
  }
  if (target.USER !== undefined) env.USER = target.USER;
  if (target.HOST !== undefined) env.HOST = target.HOST;
  return env;
}

/** One dump: a file per thread, its instructions, and those of the work reported apart. */
export interface CallgrindDump {
  files: ({ thread: number; path: string; instructions: number } & WorkApart)[];
}

/** `<label>.<pid>.<dump>-<thread>`: the files of one dump, with their thread numbers. */
export function dumpFilesOf(names: string[], fileLabel: string, pid: number, dump: number) {
  const prefix = `${fileLabel}.${pid}.${dump}-`;
  return names
    .filter((name) => name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length)))
    .map((name) => ({ name, thread: Number(name.slice(prefix.length)) }))
    .sort((a, b) => a.thread - b.thread);
}

/** A process running under callgrind, and the commands that steer its counting. */
export class CallgrindProcess {
  private dumps = 0;

  constructor(
    private readonly tools: CallgrindTools,
    readonly process: NodeProcess,
    private readonly outDir: string,
    readonly fileLabel: string,
  ) {}

  get pid(): number {
    return this.process.pid;
  }

  private async control(args: string[]): Promise<void> {
    const exited = this.process.exitReason();
    if (exited) throw new Error(`${this.process.name} ${exited}:\n${this.process.output()}`);
    const { stdout, stderr } = await run(
      this.tools.callgrindControl,
      [`--vgdb-prefix=${vgdbPrefix(this.outDir)}`, ...args, String(this.pid)],
      { timeout: CONTROL_TIMEOUT_MS, env: controlEnv(process.env, this.process.env) },
    );
    // callgrind_control exits 0 also when it found no such process: its answer says.
    if (!new RegExp(`^PID ${this.pid}:[^\\n]*\\n\\s*OK\\.?\\s*$`, 'm').test(stdout))
      throw new Error(
        `callgrind_control ${args.join(' ')} ${this.pid} (${this.process.name}) did not answer OK: ${`${stdout}${stderr}`.trim() || 'no output'}`,
      );
  }

  /** Switches instrumentation on or off (switching discards the translated code, which is redone). */
  instrumentation(on: boolean): Promise<void> {
    return this.control([`--instr=${on ? 'on' : 'off'}`]);
  }

  /** Zeroes the counters: the next dump counts from here. */
  zero(): Promise<void> {
    return this.control(['--zero']);
  }

  /** Writes the counts since the last zero or dump, a file per thread, and reads their totals. */
  async dump(description: string): Promise<CallgrindDump> {
    await this.control([`--dump=${description}`]);
    this.dumps += 1;
    const found = dumpFilesOf(readdirSync(this.outDir), this.fileLabel, this.pid, this.dumps);
    if (found.length === 0)
      throw new Error(`callgrind wrote no dump ${this.dumps} for ${this.process.name} in ${this.outDir}`);
    return {
      files: found.map(({ name, thread }) => {
        const path = join(this.outDir, name);
        const profile = parseCallgrind(readFileSync(path, 'utf8'));
        return {
          thread,
          path,
          instructions: profile.total,
          ...workApart(profile),
        };
      }),
    };
  }
}
