import type { LayerId } from '../src/layers';
import { LAYERS } from '../src/layers';
import type { Measurement } from '../src/load';
import type { BenchReport } from '../src/report';
import {
  collectFailures,
  collectInstructionFailures,
  formatKilo,
  instructionRatio,
  layerTable,
  computeRatios,
  formatBytes,
  formatDuration,
  formatMs,
  formatRate,
  formatRatio,
  renderJson,
  renderMarkdown,
  reportBaseName,
} from '../src/report';

const MiB = 1024 * 1024;

function measurement(overrides: Partial<Measurement> & { p50?: number; p99?: number } = {}): Measurement {
  const { p50 = 2, p99 = 9, ...rest } = overrides;
  return {
    target: 'service',
    mode: 'throughput',
    connections: 10,
    seconds: 10,
    requests: 40_000,
    rps: 4000,
    latencyMs: { p50, p90: p99 - 1, p99, max: p99 + 5, mean: p50 + 0.5 },
    errors: 0,
    timeouts: 0,
    non2xx: 0,
    statusCodes: { '200': 40_000 },
    peakRss: { items: { bytes: 100 * MiB, method: 'hwm-window' } },
    probeMs: 3,
    source: 'autocannon',
    ...rest,
  };
}

function report(overrides: Partial<BenchReport> = {}): BenchReport {
  const service = measurement();
  const baseline = measurement({
    target: 'baseline',
    rps: 8000,
    p50: 1,
    p99: 3,
    peakRss: { baseline: { bytes: 60 * MiB, method: 'hwm-window' } },
  });
  return {
    startedAt: '2024-05-01T10:20:30.000Z',
    finishedAt: '2024-05-01T10:26:00.000Z',
    wallSeconds: 330,
    status: 'ok',
    machine: {
      node: 'v20.19.0',
      os: 'Linux 6.1 x64',
      cpus: 2,
      cpuModel: 'Test CPU',
      memoryBytes: 8 * 1024 * MiB,
      loadAverage: [0.5, 0.25, 0.1],
      database: { engine: 'ferretdb', version: 'v1.24.2', where: 'embedded, started for this run' },
    },
    settings: {
      durationSec: 10,
      warmupSec: 2,
      connections: 10,
      loginConnections: 2,
      items: 10_000,
      scaleSizes: [1000, 100_000],
      databaseBoundRule: 'one request × connections × 10 ≥ the duration',
      serviceSettings: { NODE_ENV: 'production', LOG_LEVEL: 'warn' },
      serviceOverrides: [{ service: 'discounts', setting: 'ITEMS_TIMEOUT=60s', reason: 'slow scans' }],
      loadGenerator: 'autocannon 9.0.0',
    },
    cases: [
      {
        id: 'list',
        title: 'GET /api/items?limit=20',
        baselineDescription: 'the same find and count',
        service,
        baseline,
        ratios: computeRatios(service, baseline),
        problems: [],
      },
      {
        id: 'quote',
        title: 'POST /api/discounts/quote',
        baselineDescription: 'the same database work',
        service: measurement({
          mode: 'database-bound',
          connections: 1,
          requests: 3,
          rps: 0.25,
          p50: 4000,
          p99: 4100,
          peakRss: {
            discounts: { bytes: 80 * MiB, method: 'hwm-window' },
            items: { bytes: 120 * MiB, method: 'hwm-window' },
          },
        }),
        problems: [],
      },
    ],
    scale: [1000, 100_000].map((size) => {
      const [s, b] =
        size === 1000
          ? [measurement({ p50: 10 }), measurement({ p50: 5 })]
          : [measurement({ p50: 400 }), measurement({ p50: 100 })];
      return { size, service: s, baseline: b, ratios: computeRatios(s, b), problems: [] };
    }),
    login: {
      title: 'POST /api/auth/login',
      measurement: measurement({ connections: 2, rps: 6.5, p50: 300, p99: 420 }),
      scrypt: { N: 65536, r: 8, p: 2 },
      scryptFloor: { hashesPerSecond: 7.25, concurrency: 2, seconds: 5 },
      problems: [],
    },
    failures: [],
    ...overrides,
  };
}

describe('computeRatios', () => {
  it('divides the service by the baseline: throughput below 1 and latency above 1 mean slower', () => {
    const ratios = computeRatios(
      measurement({ rps: 3000, p50: 3, p99: 12 }),
      measurement({ rps: 6000, p50: 2, p99: 4 }),
    );
    expect(ratios).toEqual({ rps: 0.5, p50: 1.5, p99: 3 });
  });

  it('gives null rather than Infinity or NaN when the baseline has nothing to divide by', () => {
    expect(computeRatios(measurement({ p50: 1 }), measurement({ rps: 0, p50: 0, p99: 0 }))).toEqual({
      rps: null,
      p50: null,
      p99: null,
    });
  });
});

describe('formatting', () => {
  it('shows rates, latencies, memory, ratios and durations readably', () => {
    expect([formatRate(12_345.6), formatRate(45.67), formatRate(0.25)]).toEqual(['12,346', '45.7', '0.25']);
    expect([formatMs(1234.4), formatMs(12.34), formatMs(2), formatMs(0.5), formatMs(0)]).toEqual([
      '1,234',
      '12.3',
      '2',
      '0.5',
      '0',
    ]);
    expect([formatBytes(100 * MiB), formatBytes(undefined)]).toEqual(['100.0 MiB', 'n/a']);
    expect([formatRatio(0.5), formatRatio(null)]).toEqual(['0.50×', 'n/a']);
    expect([formatDuration(42), formatDuration(372.4)]).toEqual(['42 s', '6 min 12 s']);
  });

  it('names report files by their start time, sortable and without colons', () => {
    expect(reportBaseName(new Date('2024-05-01T10:20:30.123Z'))).toBe('bench-2024-05-01T10-20-30Z');
  });
});

describe('renderMarkdown', () => {
  it('has one row per case with both sides, the ratios and the memory of every process involved', () => {
    const markdown = renderMarkdown(report());
    expect(markdown).toContain('Status: **ok**');
    expect(markdown).toContain(
      '| GET /api/items?limit=20 | 10 conn, 10.0 s | 4,000 | 2 | 9 | 100.0 MiB | 8,000 | 1 | 3 | 60.0 MiB | 0.50× | 2.00× | 3.00× |',
    );
    expect(markdown).toContain(
      '| POST /api/discounts/quote | 1 conn, 3 req (db-bound) | 0.25 | 4,000 | 4,100 | discounts 80.0 MiB + items 120.0 MiB | - | - | - | - | n/a | n/a | n/a |',
    );
    expect(markdown).toContain('- Database: FerretDB v1.24.2 (embedded, started for this run)');
    expect(markdown).toContain('2 × Test CPU, 8.0 GiB RAM; load average 0.5 / 0.25 / 0.1');
    expect(markdown).toContain('- discounts: ITEMS_TIMEOUT=60s (slow scans)');
    expect(markdown).toContain('- POST /api/discounts/quote: the same database work.');
  });

  it('reports list latency at each size and how much it grew', () => {
    const markdown = renderMarkdown(report());
    expect(markdown).toContain('| 100,000 | 10 conn, 10.0 s | 4,000 | 400 | 9 | 4,000 | 100 | 9 | 4.00× |');
    expect(markdown).toContain(
      'From 1,000 to 100,000 items the p50 grew 40.00× for the service and 20.00× for the baseline.',
    );
  });

  it('reports login apart, next to the rate of its hash alone', () => {
    const markdown = renderMarkdown(report());
    expect(markdown).toContain('## Login (reported apart: bound by the password hash by design)');
    expect(markdown).toContain(
      '| POST /api/auth/login | 2 conn, 10.0 s | 6.50 | 300 | 420 | 100.0 MiB | 7.25 hashes/s |',
    );
    expect(markdown).toContain('N=65536, r=8, p=2');
  });

  it('marks failed cases and lists every problem', () => {
    const base = report();
    const failing = report({
      status: 'failed',
      cases: [{ ...base.cases[0]!, problems: ['service: 12 non-2xx responses (12 x 503)'] }],
      scale: [],
    });
    failing.failures = collectFailures(failing);
    const markdown = renderMarkdown(failing);
    expect(markdown).toContain('Status: **FAILED**: 1 problem(s)');
    expect(markdown).toContain('| GET /api/items?limit=20 **FAILED** |');
    expect(markdown).toContain('- GET /api/items?limit=20: service: 12 non-2xx responses (12 x 503)');
    expect(markdown).not.toContain('List latency by catalogue size');
  });

  it('escapes pipes inside cells so the table keeps its columns', () => {
    const base = report();
    const markdown = renderMarkdown(report({ cases: [{ ...base.cases[0]!, title: 'GET /a|b' }] }));
    expect(markdown).toContain('| GET /a\\|b |');
  });
});

describe('collectFailures', () => {
  it('prefixes each problem with where it happened', () => {
    const base = report();
    expect(
      collectFailures({
        cases: [{ ...base.cases[0]!, problems: ['a'] }],
        scale: [{ size: 100_000, problems: ['b'] }],
        login: { ...base.login!, problems: ['c'] },
      }),
    ).toEqual(['GET /api/items?limit=20: a', 'list at 100,000 items: b', 'POST /api/auth/login: c']);
  });
});

describe('renderJson', () => {
  it('keeps every number for later comparison', () => {
    const parsed = JSON.parse(renderJson(report())) as BenchReport;
    expect(parsed.cases[0]!.ratios).toEqual({ rps: 0.5, p50: 2, p99: 3 });
    expect(parsed.cases[0]!.service!.peakRss.items!.bytes).toBe(100 * MiB);
    expect(parsed.scale.map((entry) => entry.size)).toEqual([1000, 100_000]);
  });
});

function count(
  perRequest: { mainThread: number; allThreads: number; jitCompile?: number; majorGc?: number },
  requests = 300,
) {
  const jitCompile = perRequest.jitCompile ?? 0;
  const majorGc = perRequest.majorGc ?? 0;
  return {
    requests,
    seconds: 20,
    requestsBefore: 4000,
    windows: [perRequest.allThreads * 1.05, perRequest.allThreads, perRequest.allThreads],
    keptWindows: 2,
    mainThread: perRequest.mainThread * requests,
    allThreads: perRequest.allThreads * requests,
    jitCompile: jitCompile * requests,
    majorGc: majorGc * requests,
    threads: [{ thread: 1, instructions: perRequest.mainThread * requests, jitCompile: 0, majorGc: 0 }],
    perRequest: {
      ...perRequest,
      jitCompile,
      majorGc,
      counted: perRequest.allThreads - jitCompile - majorGc,
    },
  };
}

function instructionReport(): BenchReport {
  const { settings: _wall, ...base } = report({ cases: [], scale: [], login: undefined });
  const service = count({
    mainThread: 2_600_000,
    allThreads: 2_900_000,
    jitCompile: 60_000,
    majorGc: 40_000,
  });
  const baseline = count({ mainThread: 1_400_000, allThreads: 1_400_000 });
  const layers = Object.fromEntries(LAYERS.map((layer) => [layer.id, 0])) as Record<LayerId, number>;
  return {
    ...base,
    instructions: {
      settings: {
        requests: 300,
        warmupRequests: 4000,
        windowAgreement: 0.01,
        maxWindows: 4,
        items: 100,
        valgrind: 'valgrind-3.19.0',
        callgrindOptions: ['--tool=callgrind', '--instr-atstart=no'],
        nodeFlags: [],
        serviceSettings: { NODE_ENV: 'production', LOG_LEVEL: 'warn' },
        serviceOverrides: [],
        cores: 2,
        loadAverageAtStart: [7.5, 6.25, 7],
      },
      cases: [
        {
          id: 'me',
          title: 'GET /api/auth/me (Bearer)',
          baselineDescription: 'verifies the token',
          service: {
            process: 'auth',
            count: service,
            layers: {
              perRequest: {
                ...layers,
                routing: 1_000_000,
                runtime: 1_800_000,
                jit: 60_000,
                'major-gc': 40_000,
              },
              namedProfile: '/out/me.auth.named.callgrind',
              topFunctions: [],
            },
          },
          downstream: [],
          baseline: {
            process: 'baseline',
            count: baseline,
            layers: {
              perRequest: { ...layers, handler: 600_000, runtime: 800_000 },
              namedProfile: '/out/me.baseline.named.callgrind',
              topFunctions: [],
            },
          },
          ratio: instructionRatio(service, baseline),
          loadAverage: { before: [7.5, 6.25, 7], after: [8, 6.5, 7] },
          problems: [],
        },
        {
          id: 'quote',
          title: 'POST /api/discounts/quote',
          baselineDescription: 'the same database work',
          service: { process: 'discounts', count: count({ mainThread: 5_000_000, allThreads: 5_500_000 }) },
          downstream: [{ process: 'items', count: count({ mainThread: 3_000_000, allThreads: 3_200_000 }) }],
          baseline: { process: 'baseline' },
          loadAverage: { before: [8, 6.5, 7], after: [8, 6.5, 7] },
          problems: ['baseline: callgrind_control --dump=quote baseline did not answer OK'],
        },
      ],
    },
  };
}

describe('instructionRatio', () => {
  it('compares all threads without the work apart, and the main thread', () => {
    const service = count({
      mainThread: 2_600_000,
      allThreads: 2_900_000,
      jitCompile: 60_000,
      majorGc: 40_000,
    });
    const baseline = count({ mainThread: 1_300_000, allThreads: 1_400_000 });
    expect(instructionRatio(service, baseline)).toEqual({ counted: 2, mainThread: 2 });
    expect(instructionRatio(service, count({ mainThread: 0, allThreads: 0 }))).toEqual({
      counted: null,
      mainThread: null,
    });
  });
});

describe('renderMarkdown, instruction mode', () => {
  const rendered = () => {
    const instructions = instructionReport();
    instructions.failures = collectInstructionFailures(instructions.instructions!.cases);
    instructions.status = 'failed';
    return renderMarkdown(instructions);
  };

  it('has a row per case: instructions per request of both sides, the JIT apart, the ratios and the load', () => {
    const markdown = rendered();
    expect(markdown).toContain('# Benchmark 2024-05-01T10:20:30.000Z: instructions per request');
    expect(markdown).toContain(
      '| GET /api/auth/me (Bearer) | auth | 2,800k | 2,600k | 60k + 40k | 1,400k | 1,400k | 0k + 0k | 2.00× | 1.86× | 7.5 / 6.25 / 7 → 8 / 6.5 / 7 |',
    );
    expect(markdown).toContain('| POST /api/discounts/quote **FAILED** | discounts | 5,500k |');
    expect(markdown).not.toContain('## Hot paths against the bare baseline');
  });

  it('states the counting, the machine load and cores, and what the quote asks of items', () => {
    const markdown = rendered();
    expect(markdown).toContain(
      'at least 4000 warm-up requests, then windows of 300 requests one after another on one kept-alive connection until two in a row agree within 1% (at most 4)',
    );
    expect(markdown).toContain('- Machine load: load average 7.5 / 6.25 / 7 (1 / 5 / 15 min) on 2 cores');
    expect(markdown).toContain(
      '| me | 4,000 | 3,045k, **2,900k**, **2,900k** | 4,000 | 1,470k, **1,400k**, **1,400k** |',
    );
    expect(markdown).toContain('| quote | 4,000 | 5,775k, **5,500k**, **5,500k** | - | - |');
    expect(markdown).toContain(
      "- POST /api/discounts/quote: items, which discounts asks, spent 3,200k per request (main thread 3,000k); not in the ratio, which compares discounts's own cost with the whole baseline.",
    );
    expect(markdown).toContain(
      '- POST /api/discounts/quote: baseline: callgrind_control --dump=quote baseline did not answer OK',
    );
  });

  it('breaks profiled cases down by layer, a column per case, with the totals', () => {
    const markdown = rendered();
    expect(markdown).toContain("## Where a request's instructions go");
    expect(markdown).toContain('| layer (instructions per request, all threads) | me |');
    expect(markdown).toContain(
      '| Routing: express, router, the kit’s route label on arrival (labelRoute), route table and method guard | 1,000k |',
    );
    expect(markdown).toContain('| **service, total** | **2,800k** |');
    expect(markdown).toContain('| V8’s optimizing compiler in the background (apart) | 60k |');
    expect(markdown).toContain('| baseline, total | 1,400k |');
  });

  it('says when the profiled processes inlined no function', () => {
    expect(rendered()).not.toContain('--no-turbo-inlining');
    const profiled = instructionReport();
    profiled.instructions!.settings.nodeFlags = ['--perf-basic-prof', '--no-turbo-inlining'];
    expect(renderMarkdown(profiled)).toContain(
      'node ran with no function inlined into another (`--no-turbo-inlining`), so that each function keeps its',
    );
  });

  it('leaves the layer section out when no profile was kept', () => {
    const plain = instructionReport();
    for (const result of plain.instructions!.cases) {
      delete result.service.layers;
      delete result.baseline.layers;
    }
    expect(layerTable(plain.instructions!.cases)).toEqual([]);
    expect(renderMarkdown(plain)).not.toContain("## Where a request's instructions go");
  });

  it('formats instructions in thousands', () => {
    expect([formatKilo(2_655_700), formatKilo(499), formatKilo(undefined)]).toEqual(['2,656k', '0k', '-']);
  });
});
