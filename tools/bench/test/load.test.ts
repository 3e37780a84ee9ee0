import type { Measurement } from '../src/load';
import { databaseBoundAmount, loadMode, measure, measurementProblem } from '../src/load';

const ok: Measurement = {
  target: 'service',
  mode: 'throughput',
  connections: 10,
  seconds: 10,
  requests: 1000,
  rps: 100,
  latencyMs: { p50: 5, p90: 8, p99: 12, max: 20, mean: 6 },
  errors: 0,
  timeouts: 0,
  non2xx: 0,
  statusCodes: { '200': 1000 },
  peakRss: {},
  probeMs: 4,
  source: 'autocannon',
};

describe('loadMode', () => {
  it('keeps quick requests under full concurrency', () => {
    expect(loadMode([4, 6], 10, 10)).toBe('throughput');
  });

  it('runs a case one request at a time when the connections could not finish ten rounds in the duration', () => {
    expect(loadMode([4000, 5], 10, 10)).toBe('database-bound');
    expect(loadMode([100], 10, 10)).toBe('database-bound');
    expect(loadMode([99], 10, 10)).toBe('throughput');
  });
});

describe('databaseBoundAmount', () => {
  it('sends as many requests as fill the duration, and at least one', () => {
    expect(databaseBoundAmount(10, 4000)).toBe(3);
    expect(databaseBoundAmount(10, 50_000)).toBe(1);
    expect(databaseBoundAmount(10, 0)).toBe(10_000);
  });
});

describe('measurementProblem', () => {
  it('accepts a run where every request got a 2xx answer', () => {
    expect(measurementProblem(ok)).toBeUndefined();
  });

  it('names non-2xx statuses, timeouts and connection errors', () => {
    const bad = {
      ...ok,
      non2xx: 7,
      statusCodes: { '200': 993, '503': 5, '429': 2 },
      errors: 4,
      timeouts: 1,
    };
    expect(measurementProblem(bad)).toBe(
      '7 non-2xx responses (2 x 429, 5 x 503); 1 timeouts; 3 connection errors',
    );
  });

  it('fails a run in which nothing completed', () => {
    expect(measurementProblem({ ...ok, requests: 0, statusCodes: {} })).toBe('no request completed');
  });
});

describe('measure', () => {
  it('takes a database-bound request that alone outlasted the duration as the measurement itself', async () => {
    const measurement = await measure(
      { kind: 'baseline', url: 'http://127.0.0.1:9', processes: [] },
      { method: 'GET', paths: ['/api/items'], headers: {} },
      { durationSec: 2, warmupSec: 1, connections: 10 },
      { mode: 'database-bound', probe: { status: 200, body: {}, ms: 2500.4, peakRss: {} } },
    );
    expect(measurement).toMatchObject({
      target: 'baseline',
      source: 'probe',
      connections: 1,
      requests: 1,
      rps: 1000 / 2500.4,
      latencyMs: { p50: 2500, p99: 2500 },
      statusCodes: { '200': 1 },
    });
    expect(measurementProblem(measurement)).toBeUndefined();
  });
});
