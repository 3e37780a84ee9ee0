/** What a child run reports on its stdout, as one JSON line. */
export interface ChildMeasurement {
  /** runCli's return value; null when it threw or could not be loaded. */
  exitCode: number | null;
  /** Set when runCli threw, or the verifier could not be loaded. */
  error?: string;
  /** Around the runCli call. */
  wallMs: number;
  /** From the process's start to the runCli call: Node's start-up and loading the verifier. */
  loadMs: number;
  /** Everything written through out and err, in UTF-8 bytes (a newline per call included). */
  outputBytes: number;
  stdoutBytes: number;
  stderrBytes: number;
  /** Lines that list a difference in check's report (`  + `, `  - `, `  ? `). */
  differences: number;
  /** Flows in matrix's JSON output (`"from":` keys). */
  flows: number;
  /** The first part of what went to err, to tell a usage error from a result. */
  stderrHead: string;
  maxRssKiB: number;
}

export function isChildMeasurement(value: unknown): value is ChildMeasurement {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    (typeof record.exitCode === 'number' || record.exitCode === null) &&
    typeof record.wallMs === 'number' &&
    typeof record.maxRssKiB === 'number' &&
    typeof record.outputBytes === 'number'
  );
}
