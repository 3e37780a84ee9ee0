import { countOf, servicesFor, unexpectedStatuses } from '../src/instructions';
import { callgrindOptions, controlEnv } from '../src/valgrind';

describe('countOf', () => {
  it('adds the threads, keeps the main thread apart, and leaves background JIT and major GC jobs out of the figure', () => {
    const count = countOf(
      {
        files: [
          { thread: 1, path: '/d/auth.7.1-01', instructions: 900_000, jitCompile: 0, majorGc: 10_000 },
          { thread: 3, path: '/d/auth.7.1-03', instructions: 250_000, jitCompile: 200_000, majorGc: 0 },
          { thread: 4, path: '/d/auth.7.1-04', instructions: 50_000, jitCompile: 0, majorGc: 40_000 },
        ],
      },
      100,
      12.5,
    );
    expect(count).toMatchObject({
      requests: 100,
      seconds: 12.5,
      mainThread: 900_000,
      allThreads: 1_200_000,
      jitCompile: 200_000,
      majorGc: 50_000,
      perRequest: { mainThread: 9000, allThreads: 12_000, jitCompile: 2000, majorGc: 500, counted: 9500 },
    });
    expect(count.threads).toHaveLength(3);
  });
});

describe('unexpectedStatuses', () => {
  const sent = (statuses: Record<string, number>) => ({ sent: 1, statuses, seconds: 1 });

  it('accepts any 2xx for a hot path, and only the expected status for an error case', () => {
    expect(unexpectedStatuses(sent({ '200': 300 }), undefined)).toBeUndefined();
    expect(unexpectedStatuses(sent({ '404': 300 }), 404)).toBeUndefined();
    expect(unexpectedStatuses(sent({ '200': 298, '503': 2 }), undefined)).toBe(
      '2 x 503 where 2xx was expected',
    );
    expect(unexpectedStatuses(sent({ '404': 1, '200': 2 }), 404)).toBe('2 x 200 where 404 was expected');
  });
});

describe('servicesFor', () => {
  it('runs under callgrind only the services the cases ask, and items behind the quote', () => {
    expect(servicesFor(['me'])).toEqual(['auth']);
    expect(servicesFor(['quote'])).toEqual(['items', 'discounts']);
    expect(servicesFor(['me-no-token', 'item-missing', 'list'])).toEqual(['auth', 'items']);
  });
});

describe('callgrind control', () => {
  it('starts with instrumentation off, a file per thread, and its pipes in the run directory', () => {
    expect(callgrindOptions('/run', 'auth')).toEqual([
      '--tool=callgrind',
      '--instr-atstart=no',
      '--separate-threads=yes',
      '--callgrind-out-file=/run/auth.%p',
      '--vgdb-prefix=/run/vgdb',
    ]);
  });

  it("runs callgrind_control with the target's USER and HOST, which name vgdb's pipes", () => {
    const own = { PATH: '/bin', USER: 'me', HOST: 'box', HOME: '/home/me' };
    expect(controlEnv(own, { PATH: '/bin', HOST: '127.0.0.1' })).toEqual({
      PATH: '/bin',
      HOME: '/home/me',
      HOST: '127.0.0.1',
    });
    expect(controlEnv(own, { PATH: '/bin' })).toEqual({ PATH: '/bin', HOME: '/home/me' });
  });
});
