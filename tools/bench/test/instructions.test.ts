import { once } from 'node:events';
import type { Server } from 'node:http';
import { Agent, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  countOf,
  PROFILE_NODE_FLAGS,
  sendInTurn,
  servicesFor,
  startLoad,
  unexpectedStatuses,
  windowsAgree,
} from '../src/instructions';
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
      { requests: 100, seconds: 12.5, requestsBefore: 4000 },
    );
    expect(count).toMatchObject({
      requests: 100,
      seconds: 12.5,
      requestsBefore: 4000,
      mainThread: 900_000,
      allThreads: 1_200_000,
      jitCompile: 200_000,
      majorGc: 50_000,
      perRequest: { mainThread: 9000, allThreads: 12_000, jitCompile: 2000, majorGc: 500, counted: 9500 },
    });
    expect(count.threads).toHaveLength(3);
  });
});

describe('countOf, over two windows joined', () => {
  it('adds each thread over the windows, and gives the windows and how many are kept', () => {
    const file = (thread: number, instructions: number) => ({
      thread,
      path: `/d/auth.7.x-0${thread}`,
      instructions,
      jitCompile: 0,
      majorGc: 0,
    });
    const count = countOf(
      { files: [file(1, 1000), file(3, 100), file(1, 1100), file(3, 50)] },
      { requests: 2, seconds: 1, requestsBefore: 10, windows: [700, 550, 575], keptWindows: 2 },
    );
    expect(count.mainThread).toBe(2100);
    expect(count.threads).toEqual([
      { thread: 1, instructions: 2100, jitCompile: 0, majorGc: 0 },
      { thread: 3, instructions: 150, jitCompile: 0, majorGc: 0 },
    ]);
    expect(count.perRequest.counted).toBe(1125);
    expect(count).toMatchObject({ windows: [700, 550, 575], keptWindows: 2 });
  });
});

describe('windowsAgree', () => {
  it('needs two windows in a row within 1% of each other', () => {
    expect(windowsAgree([])).toBe(false);
    expect(windowsAgree([1000])).toBe(false);
    expect(windowsAgree([1100, 1000])).toBe(false);
    expect(windowsAgree([1100, 1000, 1009])).toBe(true);
    expect(windowsAgree([1000, 1011])).toBe(false);
    expect(windowsAgree([1000, 1020], 0.02)).toBe(true);
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

describe('PROFILE_NODE_FLAGS', () => {
  it('names generated code and keeps every function apart, for a kept profile only', () => {
    expect(PROFILE_NODE_FLAGS).toEqual([
      '--perf-basic-prof',
      '--interpreted-frames-native-stack',
      '--no-turbo-inlining',
    ]);
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

describe('sending requests', () => {
  let server: Server;
  let url: string;
  const seen: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      if (req.url === '/broken') {
        req.socket.destroy();
        return;
      }
      res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ path: req.url }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    seen.length = 0;
  });
  const signal = new AbortController().signal;

  it('sends the paths in turn, one after another, and keeps the first answer', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const sent = await sendInTurn(
      url,
      { method: 'GET', paths: ['/a', '/b', '/missing'], headers: {} },
      4,
      agent,
    );
    agent.destroy();
    expect(seen).toEqual(['GET /a', 'GET /b', 'GET /missing', 'GET /a']);
    expect(sent).toMatchObject({ sent: 4, statuses: { '200': 3, '404': 1 }, firstBody: { path: '/a' } });
  });

  it('keeps a process busy until stopped, once warm', async () => {
    const load = startLoad(url, { method: 'GET', paths: ['/a'], headers: {} }, 3, 20, signal);
    await load.warm;
    const sent = await load.stop();
    expect(sent.sent).toBeGreaterThanOrEqual(20);
    expect(sent.statuses['200']).toBe(sent.sent);
    expect(seen.length).toBe(sent.sent);
    // Stopping twice gives the same answer.
    await expect(load.stop()).resolves.toBe(sent);
  });

  it('fails the warm-up when a request fails, and says so when stopped', async () => {
    const load = startLoad(url, { method: 'GET', paths: ['/broken'], headers: {} }, 2, 10, signal);
    await expect(load.warm).rejects.toThrow();
    await expect(load.stop()).rejects.toThrow();
  });
});
