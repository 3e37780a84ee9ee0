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

/**
 * Path of a pinned tool, made available by scripts/tools.sh (PATH first, else .tools/bin,
 * else built or installed). Throws with the script's own explanation when it cannot be had.
 */
export async function toolPath(name: string): Promise<string> {
  try {
    const { stdout } = await run('bash', [join(repoRoot, 'scripts', 'tools.sh'), 'path', name], {
      maxBuffer: 1024 * 1024,
      timeout: 15 * 60_000,
    });
    const path = stdout.trim();
    if (!path) throw new Error(`scripts/tools.sh found no ${name}`);
    return path;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`${name} is not available${stderr ? `: ${stderr}` : ''}`, { cause: error });
  }
}

/** The directory of a pinned Go module's files (CRDs, kwok's stages), from scripts/tools.sh source. */
export async function moduleSource(name: string): Promise<string> {
  try {
    const { stdout } = await run('bash', [join(repoRoot, 'scripts', 'tools.sh'), 'source', name], {
      maxBuffer: 1024 * 1024,
      timeout: 5 * 60_000,
    });
    return stdout.trim();
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`the sources of ${name} are not available${stderr ? `: ${stderr}` : ''}`, {
      cause: error,
    });
  }
}
