/**
 * One measured run, in a process of its own: `node child.js <verifier module> <netpol args...>`.
 * Output goes to counters, never to the terminal; the measurement is the last line on stdout.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ChildMeasurement } from './measurement';

/** Synchronous in older versions of the verifier, asynchronous since it reads live clusters. */
type RunCli = (
  argv: string[],
  io: { out: (text: string) => void; err: (text: string) => void },
) => number | Promise<number>;

const DIFFERENCE = /^ {2}[-+?] /gm;
const FLOW = /"from":/g;
const HEAD_LIMIT = 2000;

function loadRunCli(modulePath: string): RunCli {
  // A path on disk (relative to the working directory) or a package name.
  const loaded: unknown = createRequire(__filename)(
    existsSync(modulePath) ? resolve(modulePath) : modulePath,
  );
  const runCli =
    typeof loaded === 'object' && loaded !== null ? (loaded as { runCli?: unknown }).runCli : undefined;
  if (typeof runCli !== 'function') throw new Error(`${modulePath} exports no runCli function`);
  return runCli as RunCli;
}

function count(pattern: RegExp, text: string): number {
  let matches = 0;
  pattern.lastIndex = 0;
  while (pattern.exec(text)) matches++;
  return matches;
}

async function main(): Promise<void> {
  const [modulePath, ...args] = process.argv.slice(2);
  const result: ChildMeasurement = {
    exitCode: null,
    wallMs: 0,
    loadMs: 0,
    outputBytes: 0,
    stdoutBytes: 0,
    stderrBytes: 0,
    differences: 0,
    flows: 0,
    stderrHead: '',
    maxRssKiB: 0,
  };
  try {
    if (!modulePath) throw new Error('usage: child.js <verifier module> <args...>');
    const runCli = loadRunCli(modulePath);
    const io = {
      out: (text: string) => {
        result.stdoutBytes += Buffer.byteLength(text) + 1;
        result.differences += count(DIFFERENCE, text);
        result.flows += count(FLOW, text);
      },
      err: (text: string) => {
        result.stderrBytes += Buffer.byteLength(text) + 1;
        result.differences += count(DIFFERENCE, text);
        if (result.stderrHead.length < HEAD_LIMIT)
          result.stderrHead += text.slice(0, HEAD_LIMIT - result.stderrHead.length);
      },
    };
    const started = performance.now();
    result.loadMs = started;
    try {
      result.exitCode = await runCli(args, io);
    } finally {
      result.wallMs = performance.now() - started;
    }
  } catch (error) {
    result.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
  result.outputBytes = result.stdoutBytes + result.stderrBytes;
  result.maxRssKiB = process.resourceUsage().maxRSS;
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

void main();
