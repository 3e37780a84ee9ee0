/** Command-line settings of `npm run bench:netpol`. */
import { parseArgs } from 'node:util';
import { CASES, COMMANDS, type CommandName } from './cases';

export interface BenchOptions {
  caseIds: string[];
  seed: number;
  commands: CommandName[];
  timeoutSec: number;
  keep: boolean;
  help: boolean;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `npm run bench:netpol -- [options]

  --sizes LIST    cases to run, comma-separated: ${CASES.map((c) => c.id).join(', ')} (default: all)
  --seed N        generator seed (default 1)
  --only CMD      run only matrix or only check
  --timeout SEC   per run, after which the run is killed and reported as timed out (default 900)
  --keep          keep the generated manifests (the temp directory is printed)
  -h, --help`;

export function parseOptions(argv: string[]): BenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        sizes: { type: 'string' },
        seed: { type: 'string', default: '1' },
        only: { type: 'string' },
        timeout: { type: 'string', default: '900' },
        keep: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const known = CASES.map((c) => c.id);
  const caseIds = values.sizes ? values.sizes.split(',').map((id) => id.trim().replace(/_/g, '')) : known;
  for (const id of caseIds) {
    if (!known.includes(id)) throw new UsageError(`--sizes: unknown case ${id} (${known.join(', ')})`);
  }
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed ${values.seed} is not an integer`);
  const timeoutSec = Number(values.timeout);
  if (!Number.isFinite(timeoutSec) || timeoutSec <= 0)
    throw new UsageError(`--timeout ${values.timeout} is not a positive number of seconds`);
  let commands = COMMANDS;
  if (values.only !== undefined) {
    const only = COMMANDS.find((command) => command === values.only);
    if (!only) throw new UsageError(`--only ${values.only}: matrix or check`);
    commands = [only];
  }
  return {
    caseIds: known.filter((id) => caseIds.includes(id)),
    seed,
    commands,
    timeoutSec,
    keep: values.keep,
    help: values.help,
  };
}
