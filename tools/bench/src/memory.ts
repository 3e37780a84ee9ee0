/**
 * Peak resident memory of a process over a time window, from Linux's /proc. The kernel's own
 * high-water mark (VmHWM) is reset at the start of the window where allowed (clear_refs 5), so it
 * covers exactly the window; VmRSS is also polled, which alone is what other systems would get.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface PeakRss {
  /** Peak resident set size in bytes, or undefined when /proc is not readable. */
  bytes: number | undefined;
  /** `hwm-window`: the kernel's peak since the reset; `polled`: the largest VmRSS seen. */
  method: 'hwm-window' | 'polled' | 'unavailable';
}

const POLL_MS = 100;

function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Current resident set size in bytes (undefined off Linux or once the process is gone). */
export const currentRss = (pid: number) => statusField(pid, 'VmRSS');

function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Watches several processes from now until `stop()`, which returns each one's peak by name. */
export class RssWatch {
  private readonly peaks = new Map<string, number>();
  private readonly hwmReset = new Map<string, boolean>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly processes: { name: string; pid: number }[]) {
    for (const { name, pid } of processes) {
      this.hwmReset.set(name, resetPeak(pid));
      this.sampleOne(name, pid);
    }
    this.timer = setInterval(() => this.sample(), POLL_MS);
  }

  private sampleOne(name: string, pid: number): void {
    const rss = currentRss(pid);
    if (rss !== undefined) this.peaks.set(name, Math.max(this.peaks.get(name) ?? 0, rss));
  }

  private sample(): void {
    for (const { name, pid } of this.processes) this.sampleOne(name, pid);
  }

  stop(): Record<string, PeakRss> {
    clearInterval(this.timer);
    this.sample();
    const result: Record<string, PeakRss> = {};
    for (const { name, pid } of this.processes) {
      const polled = this.peaks.get(name);
      const hwm = this.hwmReset.get(name) ? statusField(pid, 'VmHWM') : undefined;
      if (hwm !== undefined) result[name] = { bytes: Math.max(hwm, polled ?? 0), method: 'hwm-window' };
      else if (polled !== undefined) result[name] = { bytes: polled, method: 'polled' };
      else result[name] = { bytes: undefined, method: 'unavailable' };
    }
    return result;
  }
}
