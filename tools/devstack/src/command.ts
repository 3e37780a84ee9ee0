import { execFile } from 'node:child_process';
import { basename } from 'node:path';

export interface CommandOptions {
  /** Written to the command's standard input (which is closed either way). */
  input?: string;
  timeoutMs?: number;
  /** How a failure names the command; default: the program and its first argument. */
  label?: string;
}

/**
 * Runs a program to completion. Rejects on a non-zero exit with the program's own words: its
 * stderr, else its stdout (`kubectl auth can-i` answers on stdout), else how it ended.
 */
export function runCommand(
  command: string,
  args: string[],
  options: CommandOptions = {},
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { maxBuffer: 64 * 1024 * 1024, timeout: options.timeoutMs ?? 15 * 60_000 },
      (error, stdout, stderr) => {
        if (!error) return resolve({ stdout, stderr });
        const label = options.label ?? `${basename(command)} ${args[0] ?? ''}`;
        const detail = stderr.trim() || stdout.trim() || error.message;
        reject(new Error(`${label}: ${detail}`, { cause: error }));
      },
    );
    child.stdin?.end(options.input ?? '');
  });
}
