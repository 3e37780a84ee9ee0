/** Command-line and environment settings of `npm run bench`. */
import { resolve } from 'node:path';

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
  key: 'durationSec' | 'warmupSec' | 'connections' | 'loginConnections' | 'items';
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
    what: 'items seeded for the hot-path cases',
  },
];

const DEFAULT_SCALE = [1_000, 100_000];
const MAX_SCALE_SIZE = 1_000_000;

export function usage(defaultOutDir: string): string {
  const lines = [
    'usage: npm run bench -- [options]',
    '',
    'Drives the hot paths of auth, items and discounts with autocannon on loopback, against a bare',
    'node:http + MongoDB driver baseline serving the same queries, and writes the report to',
    `${defaultOutDir} (bench-<time>.md/.json and latest.md/.json).`,
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
    `  ${'--out <dir>'.padEnd(26)} report directory (BENCH_OUT; default bench/results)`,
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
    const known = name === 'scale' || name === 'out' || NUMBER_SETTINGS.some((s) => s.flag === name);
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

  const scale = pick('scale', 'BENCH_SCALE');
  const out = pick('out', 'BENCH_OUT');
  return {
    ...numbers,
    scaleSizes: scale ? parseScale(scale[0], scale[1]) : DEFAULT_SCALE,
    outDir: out ? resolve(out[0]) : defaultOutDir,
    help,
  };
}
