import { resolve } from 'node:path';
import { parseArgs, parseCases, parseScale, usage, UsageError } from '../src/args';

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
      instructions: false,
      requests: 300,
      warmupRequests: 12_000,
      cases: ['list', 'search', 'item', 'me', 'quote'],
      keepProfiles: false,
      help: false,
    });
  });

  it('counts instructions with --instructions: the three hot paths and the error path, on 100 items', () => {
    expect(parse(['--instructions'])).toMatchObject({
      instructions: true,
      items: 100,
      cases: ['me', 'item', 'quote', 'item-missing', 'me-no-token'],
      keepProfiles: false,
    });
    expect(parse(['--instructions', '--items', '5000']).items).toBe(5000);
    expect(parse([], { BENCH_INSTRUCTIONS: '1', BENCH_KEEP_PROFILES: '1' })).toMatchObject({
      instructions: true,
      keepProfiles: true,
    });
    expect(parse(['--instructions', '--requests=50', '--warmup-requests', '0'])).toMatchObject({
      requests: 50,
      warmupRequests: 0,
    });
  });

  it('takes the cases to run in the order given, in either mode', () => {
    expect(parse(['--cases', 'quote,me']).cases).toEqual(['quote', 'me']);
    expect(parse(['--instructions', '--cases=list,me-no-token']).cases).toEqual(['list', 'me-no-token']);
    expect(parse([], { BENCH_CASES: 'item' }).cases).toEqual(['item']);
  });

  it('refuses a switch with a value, profiles without --instructions, and an error case for wall time', () => {
    expect(() => parse(['--instructions=yes'])).toThrow(/--instructions takes no value/);
    expect(() => parse(['--keep-profiles'])).toThrow(/--keep-profiles needs --instructions/);
    expect(() => parse(['--cases', 'me-no-token'])).toThrow(/only with --instructions/);
    expect(() => parse([], { BENCH_INSTRUCTIONS: 'yes' })).toThrow(/BENCH_INSTRUCTIONS must be 1 or 0/);
    expect(parse([], { BENCH_INSTRUCTIONS: '0' }).instructions).toBe(false);
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

describe('parseCases', () => {
  it('names the unknown case and the known ones, and refuses a case twice or none', () => {
    expect(() => parseCases('me,login', '--cases')).toThrow(/no case "login" \(the cases: list, search/);
    expect(() => parseCases('me,me', '--cases')).toThrow(/twice/);
    expect(() => parseCases(' , ', '--cases')).toThrow(/names no case/);
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
