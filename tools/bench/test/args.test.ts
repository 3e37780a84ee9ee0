import { resolve } from 'node:path';
import { parseArgs, parseScale, usage, UsageError } from '../src/args';

const OUT = '/repo/bench/results';
const parse = (argv: string[], env: Record<string, string> = {}) => parseArgs(argv, env, OUT);

describe('parseArgs', () => {
  it('defaults to 10 s per case, 2 s warm-up, 10 connections, 10,000 items, 1,000 vs 100,000', () => {
    expect(parse([])).toEqual({
      durationSec: 10,
      warmupSec: 2,
      connections: 10,
      loginConnections: 2,
      items: 10_000,
      scaleSizes: [1_000, 100_000],
      outDir: OUT,
      help: false,
    });
  });

  it('reads --flag value and --flag=value', () => {
    const options = parse(['--duration', '5', '--connections=4', '--items', '2000', '--warmup=0']);
    expect(options).toMatchObject({ durationSec: 5, connections: 4, items: 2000, warmupSec: 0 });
  });

  it('reads the BENCH_* environment, and a flag wins over it', () => {
    const env = { BENCH_DURATION: '3', BENCH_CONNECTIONS: '8', BENCH_SCALE: '500,5000', BENCH_OUT: 'out' };
    expect(parse([], env)).toMatchObject({
      durationSec: 3,
      connections: 8,
      scaleSizes: [500, 5000],
      outDir: resolve('out'),
    });
    expect(parse(['--duration', '7'], env).durationSec).toBe(7);
  });

  it('ignores an empty variable, as if unset', () => {
    expect(parse([], { BENCH_DURATION: '' }).durationSec).toBe(10);
  });

  it('says which flag or variable is wrong', () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['--duration', 'ten'], {}, /--duration must be a whole number/],
      [['--duration', '0'], {}, /--duration must be between 1 and 60/],
      [['--duration', '61'], {}, /--duration must be between 1 and 60/],
      [['--connections', '1.5'], {}, /--connections must be a whole number/],
      [[], { BENCH_ITEMS: '-3' }, /BENCH_ITEMS must be a whole number/],
      [['--nope', '1'], {}, /unknown option --nope/],
      [['--duration'], {}, /--duration needs a value/],
      [['--duration', '--items', '5'], {}, /--duration needs a value/],
      [['--items', '500', '--items', '600'], {}, /--items is given twice/],
      [['stray'], {}, /unexpected argument "stray"/],
      [['--scale', '1000,abc'], {}, /--scale must be a whole number/],
    ];
    for (const [argv, env, message] of cases) {
      expect(() => parse(argv, env)).toThrow(UsageError);
      expect(() => parse(argv, env)).toThrow(message);
    }
  });

  it('asks for help with --help or -h', () => {
    expect(parse(['--help']).help).toBe(true);
    expect(parse(['-h']).help).toBe(true);
    expect(usage(OUT)).toContain('--duration <n>');
    expect(usage(OUT)).toContain('BENCH_SCALE');
  });
});

describe('parseScale', () => {
  it('sorts the sizes, and "none" skips the phase', () => {
    expect(parseScale('100000,1000', '--scale')).toEqual([1000, 100_000]);
    expect(parseScale('none', '--scale')).toEqual([]);
  });

  it('refuses a size given twice, zero, or more than a million', () => {
    expect(() => parseScale('1000,1000', '--scale')).toThrow(/twice/);
    expect(() => parseScale('0', '--scale')).toThrow(/between 1 and 1000000/);
    expect(() => parseScale('2000000', '--scale')).toThrow(/between 1 and 1000000/);
  });
});
