import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root (this package lives in tools/devstack). */
export const repoRoot = resolve(__dirname, '..', '..', '..');

/** Absolute path of an executable on PATH, or undefined. */
export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Runs scripts/tools.sh with `args` and returns what it printed; `what` names the thing in a failure. */
async function toolsScript(args: string[], what: string, timeoutMs: number): Promise<string> {
  try {
    const { stdout } = await run('bash', [join(repoRoot, 'scripts', 'tools.sh'), ...args], {
      maxBuffer: 1024 * 1024,
      timeout: timeoutMs,
    });
    const printed = stdout.trim();
    if (!printed) throw new Error(`scripts/tools.sh ${args.join(' ')} printed nothing`);
    return printed;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(stderr ? `${what}: ${stderr}` : what, { cause: error });
  }
}

/**
 * Path of a pinned tool, made available by scripts/tools.sh (PATH first, else .tools/bin,
 * else built or installed). Throws with the script's own explanation when it cannot be had.
 */
export function toolPath(name: string): Promise<string> {
  return toolsScript(['path', name], `${name} is not available`, 15 * 60_000);
}

/** The directory of a pinned Go module's files (CRDs, kwok's stages), from scripts/tools.sh source. */
export function moduleSource(name: string): Promise<string> {
  return toolsScript(['source', name], `the sources of ${name} are not available`, 5 * 60_000);
}
