/** Command-line and environment settings of `npm run bench`. */
import { resolve } from 'node:path';
import type { CaseId } from './case-ids';
import { ERROR_CASE_IDS, HOT_PATH_CASE_IDS } from './case-ids';

export interface BenchOptions {
  /** Measured time per case and target, in seconds. */
  durationSec: number;
  /** Load before each measurement (JIT, connection pools, caches), in seconds. */
  warmupSec: number;
  /** Concurrent connections for the hot-path cases. */
  connections: number;
  /** Concurrent connections for login, whose cost is the password hash. */
  loginConnections: number;
  /** Items seeded for the hot-path cases. */
  items: number;
  /** Catalogue sizes of the list-latency phase, ascending; empty skips the phase. */
  scaleSizes: number[];
  /** Where the reports are written. */
  outDir: string;
  /** Count instructions under callgrind instead of measuring wall time. */
  instructions: boolean;
  /** Instruction mode: requests per counted window (windows are counted until two in a row agree). */
  requests: number;
  /** Instruction mode: requests sent before counting, so the JIT has settled. */
  warmupRequests: number;
  /** The cases to run, in the order the bench runs them. */
  cases: CaseId[];
  /** Instruction mode: keep callgrind's files and node's perf maps, and break each case down by layer. */
  keepProfiles: boolean;
  help: boolean;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

interface NumberSetting {
  flag: string;
  env: string;
  key:
    | 'durationSec'
    | 'warmupSec'
    | 'connections'
    | 'loginConnections'
    | 'items'
    | 'requests'
    | 'warmupRequests';
  min: number;
  max: number;
  fallback: number;
  what: string;
}

const NUMBER_SETTINGS: NumberSetting[] = [
  {
    flag: 'duration',
    env: 'BENCH_DURATION',
    key: 'durationSec',
    min: 1,
    max: 60,
    fallback: 10,
    what: 'seconds measured per case and target',
  },
  {
    flag: 'warmup',
    env: 'BENCH_WARMUP',
    key: 'warmupSec',
    min: 0,
    max: 30,
    fallback: 2,
    what: 'seconds of warm-up load before each measurement',
  },
  {
    flag: 'connections',
    env: 'BENCH_CONNECTIONS',
    key: 'connections',
    min: 1,
    max: 500,
    fallback: 10,
    what: 'concurrent connections per hot-path case',
  },
  {
    flag: 'login-connections',
    env: 'BENCH_LOGIN_CONNECTIONS',
    key: 'loginConnections',
    min: 1,
    max: 16,
    fallback: 2,
    what: 'concurrent connections for login',
  },
  {
    flag: 'items',
    env: 'BENCH_ITEMS',
    key: 'items',
    min: 100,
    max: 1_000_000,
    fallback: 10_000,
    what: 'items seeded for the hot-path cases, 100 with --instructions unless given',
  },
  {
    flag: 'requests',
    env: 'BENCH_REQUESTS',
    key: 'requests',
    min: 10,
    max: 10_000,
    fallback: 300,
    what: 'with --instructions: requests per counted window',
  },
  {
    flag: 'warmup-requests',
    env: 'BENCH_WARMUP_REQUESTS',
    key: 'warmupRequests',
    min: 0,
    max: 100_000,
    fallback: 12_000,
    what: 'with --instructions: warm-up requests before counting (at least)',
  },
];

/**
 * Items seeded for the instruction mode: a service's instructions per request do not depend on the
 * catalogue's size, but on FerretDB the quote's batch lookup scans it, and every request waits.
 */
export const INSTRUCTION_MODE_ITEMS = 100;
/** The instruction mode's cases: the issue's three hot paths, and the error path (404 and 401). */
export const INSTRUCTION_MODE_CASES: readonly CaseId[] = ['me', 'item', 'quote', ...ERROR_CASE_IDS];
const ALL_CASE_IDS: readonly CaseId[] = [...HOT_PATH_CASE_IDS, ...ERROR_CASE_IDS];
const BOOLEAN_FLAGS: Record<string, string> = {
  instructions: 'BENCH_INSTRUCTIONS',
  'keep-profiles': 'BENCH_KEEP_PROFILES',
};

const DEFAULT_SCALE = [1_000, 100_000];
const MAX_SCALE_SIZE = 1_000_000;

export function usage(defaultOutDir: string): string {
  const lines = [
    'usage: npm run bench -- [options]',
    '',
    'Drives the hot paths of auth, items and discounts with autocannon on loopback, against a bare',
    'node:http + MongoDB driver baseline serving the same queries, and writes the report to',
    `${defaultOutDir} (bench-<time>.md/.json and latest.md/.json). With --instructions it counts the`,
    "instructions per request under valgrind's callgrind instead (see tools/bench/README.md).",
    '',
    'options (each also read from the environment variable shown):',
  ];
  for (const setting of NUMBER_SETTINGS) {
    lines.push(
      `  --${`${setting.flag} <n>`.padEnd(24)} ${setting.what} (${setting.env}; default ${setting.fallback}, ${setting.min}-${setting.max})`,
    );
  }
  lines.push(
    `  ${'--scale <a,b,...|none>'.padEnd(26)} catalogue sizes for list latency (BENCH_SCALE; default ${DEFAULT_SCALE.join(',')})`,
    `  ${'--cases <a,b,...>'.padEnd(26)} cases to run, of ${ALL_CASE_IDS.join(', ')} (BENCH_CASES; default ${HOT_PATH_CASE_IDS.join(',')}, with --instructions ${INSTRUCTION_MODE_CASES.join(',')}; the error cases only with --instructions)`,
    `  ${'--out <dir>'.padEnd(26)} report directory (BENCH_OUT; default bench/results)`,
    `  ${'--instructions'.padEnd(26)} count instructions per request under valgrind's callgrind instead of wall time (BENCH_INSTRUCTIONS=1)`,
    `  ${'--keep-profiles'.padEnd(26)} with --instructions: keep the callgrind files and break each case down by layer (BENCH_KEEP_PROFILES=1)`,
    `  ${'--help'.padEnd(26)} this text`,
    '',
    'The database is MONGO_URL when set (only the bench_* databases are touched, and dropped afterwards),',
    'else a temporary server started for the run.',
  );
  return lines.join('\n');
}

function parseWhole(text: string, name: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${name} must be a whole number (got "${text}")`);
  const value = Number(text.trim());
  if (value < min || value > max)
    throw new UsageError(`${name} must be between ${min} and ${max} (got ${value})`);
  return value;
}

export function parseCases(text: string, name: string): CaseId[] {
  const ids = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (ids.length === 0) throw new UsageError(`${name} names no case`);
  for (const id of ids) {
    if (!ALL_CASE_IDS.includes(id as CaseId))
      throw new UsageError(`${name}: no case "${id}" (the cases: ${ALL_CASE_IDS.join(', ')})`);
  }
  if (new Set(ids).size !== ids.length) throw new UsageError(`${name} names a case twice`);
  return ids as CaseId[];
}

export function parseScale(text: string, name: string): number[] {
  const trimmed = text.trim();
  if (trimmed === 'none' || trimmed === '') return [];
  const sizes = trimmed.split(',').map((part) => parseWhole(part, name, 1, MAX_SCALE_SIZE));
  const sorted = [...new Set(sizes)].sort((a, b) => a - b);
  if (sorted.length !== sizes.length) throw new UsageError(`${name} lists a size twice`);
  return sorted;
}

/**
 * Reads the options from `--flag value` / `--flag=value` arguments, then the BENCH_* environment,
 * then the defaults. Throws UsageError naming the offending flag or variable.
 */
export function parseArgs(
  argv: string[],
  env: Record<string, string | undefined>,
  defaultOutDir: string,
): BenchOptions {
  const flags = new Map<string, string>();
  const switches = new Set<string>();
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new UsageError(`unexpected argument "${arg}"`);
    const name = match[1]!;
    if (BOOLEAN_FLAGS[name] !== undefined) {
      if (match[2] !== undefined) throw new UsageError(`--${name} takes no value`);
      if (switches.has(name)) throw new UsageError(`--${name} is given twice`);
      switches.add(name);
      continue;
    }
    const known =
      name === 'scale' || name === 'out' || name === 'cases' || NUMBER_SETTINGS.some((s) => s.flag === name);
    if (!known) throw new UsageError(`unknown option --${name}`);
    let value = match[2];
    if (value === undefined) {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      i++;
    }
    if (flags.has(name)) throw new UsageError(`--${name} is given twice`);
    flags.set(name, value);
  }

  const pick = (flag: string, variable: string): [string, string] | undefined => {
    const fromFlag = flags.get(flag);
    if (fromFlag !== undefined) return [fromFlag, `--${flag}`];
    const fromEnv = env[variable];
    if (fromEnv !== undefined && fromEnv !== '') return [fromEnv, variable];
    return undefined;
  };

  const numbers = Object.fromEntries(
    NUMBER_SETTINGS.map((setting) => {
      const given = pick(setting.flag, setting.env);
      const value = given ? parseWhole(given[0], given[1], setting.min, setting.max) : setting.fallback;
      return [setting.key, value];
    }),
  ) as Record<NumberSetting['key'], number>;

  const switchOn = (flag: string) => {
    if (switches.has(flag)) return true;
    const variable = BOOLEAN_FLAGS[flag]!;
    const value = env[variable];
    if (value === undefined || value === '' || value === '0') return false;
    if (value === '1') return true;
    throw new UsageError(`${variable} must be 1 or 0 (got "${value}")`);
  };
  const instructions = switchOn('instructions');
  const keepProfiles = switchOn('keep-profiles');
  if (keepProfiles && !instructions) throw new UsageError('--keep-profiles needs --instructions');

  const scale = pick('scale', 'BENCH_SCALE');
  const out = pick('out', 'BENCH_OUT');
  const casesGiven = pick('cases', 'BENCH_CASES');
  const cases = casesGiven
    ? parseCases(casesGiven[0], casesGiven[1])
    : [...(instructions ? INSTRUCTION_MODE_CASES : HOT_PATH_CASE_IDS)];
  const errorCase = cases.find((id) => ERROR_CASE_IDS.includes(id));
  if (!instructions && errorCase)
    throw new UsageError(`the case "${errorCase}" measures an error answer: only with --instructions`);
  const itemsGiven = pick('items', 'BENCH_ITEMS') !== undefined;
  return {
    ...numbers,
    items: instructions && !itemsGiven ? INSTRUCTION_MODE_ITEMS : numbers.items,
    scaleSizes: scale ? parseScale(scale[0], scale[1]) : DEFAULT_SCALE,
    outDir: out ? resolve(out[0]) : defaultOutDir,
    instructions,
    keepProfiles,
    cases,
    help,
  };
}
