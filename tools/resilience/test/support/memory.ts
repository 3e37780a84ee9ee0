import { eventually } from '@platform/devstack';
import type { RunningProcess } from './services';

export interface MemoryReport {
  rss: number;
  heapUsed: number;
}

const probeLines = (output: string): MemoryReport[] =>
  output
    .split('\n')
    .filter((line) => line.startsWith('{"msg":"memory probe"'))
    .map((line) => JSON.parse(line) as MemoryReport);

/**
 * The service's memory right after a full GC, from the memory probe preloaded into it
 * (see memory-probe.cjs; start the service with NODE_OPTIONS=--require <MEMORY_PROBE>).
 */
export async function memoryAfterGc(service: RunningProcess): Promise<MemoryReport> {
  const before = probeLines(service.output()).length;
  service.child.kill('SIGUSR2');
  let report: MemoryReport | undefined;
  await eventually(async () => {
    report = probeLines(service.output())[before];
    return Promise.resolve(report !== undefined);
  }, 10_000);
  return report!;
}

/**
 * RSS once it has settled: GC, then again until two readings in a row are within 2 MiB, so the
 * allocator handing pages back after the load does not land on one side of the comparison only.
 */
export async function settledMemory(service: RunningProcess, maxReadings = 10): Promise<MemoryReport> {
  let previous = await memoryAfterGc(service);
  for (let reading = 1; reading < maxReadings; reading++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const current = await memoryAfterGc(service);
    if (Math.abs(current.rss - previous.rss) < 2 * 1024 * 1024) return current;
    previous = current;
  }
  return previous;
}

export const mebibytes = (bytes: number) => Math.round((bytes / (1024 * 1024)) * 10) / 10;
