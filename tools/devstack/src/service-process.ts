import type { ChildProcessByStdio } from 'node:child_process';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Readable } from 'node:stream';

export interface ServiceProcess {
  child: ChildProcessByStdio<null, Readable, Readable>;
  /** Base URLs the service logged when it started listening. */
  api: string;
  management: string;
  /** Everything the process printed so far. */
  output: () => string;
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

/**
 * Starts a built service (`node <entry>`) as its own process, as a container would, and resolves
 * once it logs that it is listening. The service must be started with LOG_LEVEL info or lower.
 */
export async function spawnServiceProcess(
  name: string,
  entry: string,
  env: Record<string, string>,
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [entry], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let listening = false;
  const urls = await new Promise<{ api: string; management: string }>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      // Scan only until found: a service under load logs a line per request.
      if (listening) return;
      const line = output.split('\n').find((entry) => entry.includes(`"${name} listening"`));
      if (!line) return;
      listening = true;
      resolve(JSON.parse(line) as { api: string; management: string });
    });
    child.once('exit', () => reject(new Error(`${name} exited before listening:\n${output}`)));
  });
  return { child, api: urls.api, management: urls.management, output: () => output, exited };
}

/** Runs `node <entry>` to completion with only PATH and the given environment. */
export async function runNodeScript(
  entry: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [entry], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}
