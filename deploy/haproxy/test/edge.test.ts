import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import type { IncomingMessage, Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { SupervisedProcess } from '@platform/devstack';
import { eventually, findOnPath, freePort, spawnSupervised } from '@platform/devstack';

const CONFIG = join(__dirname, '..', 'haproxy.cfg');

function haproxyBinary(): string {
  const binary = findOnPath('haproxy');
  if (!binary)
    throw new Error('haproxy is not installed: apt-get install haproxy (the edge tests need the real one)');
  return binary;
}

interface Seen {
  path: string;
  headers: IncomingMessage['headers'];
}

/** A stand-in for one service: an API port that records and echoes, and a management port. */
class FakeService {
  readonly apiRequests: Seen[] = [];
  readonly managementRequests: Seen[] = [];
  ready = true;
  private api!: Server;
  private management!: Server;
  apiPort = 0;
  managementPort = 0;

  constructor(readonly name: string) {}

  async start(): Promise<void> {
    this.api = createServer((req, res) => {
      this.apiRequests.push({ path: req.url ?? '', headers: req.headers });
      res.writeHead(200, {
        'content-type': 'application/json',
        'x-request-id': String(req.headers['x-request-id'] ?? ''),
      });
      res.end(JSON.stringify({ backend: this.name, path: req.url }));
    });
    this.management = createServer((req, res) => {
      this.managementRequests.push({ path: req.url ?? '', headers: req.headers });
      res.writeHead(req.url === '/readyz' && this.ready ? 200 : 503).end();
    });
    for (const server of [this.api, this.management]) {
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
    }
    this.apiPort = (this.api.address() as AddressInfo).port;
    this.managementPort = (this.management.address() as AddressInfo).port;
  }

  stop(): void {
    for (const server of [this.api, this.management]) {
      server.closeAllConnections();
      server.close();
    }
  }
}

const services = {
  auth: new FakeService('auth'),
  items: new FakeService('items'),
  discounts: new FakeService('discounts'),
};
const frontend = new FakeService('frontend');
let haproxy: SupervisedProcess;
let edge: string;
let stats: string;

function environment(httpPort: number, statsPort: number): Record<string, string> {
  return {
    HTTP_BIND: `127.0.0.1:${httpPort}`,
    STATS_BIND: `127.0.0.1:${statsPort}`,
    AUTH_SERVER: `127.0.0.1:${services.auth.apiPort}`,
    AUTH_CHECK_PORT: String(services.auth.managementPort),
    ITEMS_SERVER: `127.0.0.1:${services.items.apiPort}`,
    ITEMS_CHECK_PORT: String(services.items.managementPort),
    DISCOUNTS_SERVER: `127.0.0.1:${services.discounts.apiPort}`,
    DISCOUNTS_CHECK_PORT: String(services.discounts.managementPort),
    FRONTEND_SERVER: `127.0.0.1:${frontend.apiPort}`,
  };
}

/** Backend status (UP, DOWN, …) from the stats page's CSV. */
async function backendStatus(name: string): Promise<string | undefined> {
  const csv = await (await fetch(`${stats}/stats;csv`)).text();
  const row = csv.split('\n').find((line) => line.startsWith(`${name},BACKEND,`));
  return row?.split(',')[17];
}

beforeAll(async () => {
  for (const service of [...Object.values(services), frontend]) await service.start();
  const [httpPort, statsPort] = [await freePort(), await freePort()];
  edge = `http://127.0.0.1:${httpPort}`;
  stats = `http://127.0.0.1:${statsPort}`;
  haproxy = spawnSupervised(haproxyBinary(), ['-W', '-db', '-f', CONFIG], {
    env: environment(httpPort, statsPort),
  });
  await eventually(async () => {
    const statuses = await Promise.all(['auth', 'items', 'discounts', 'frontend'].map(backendStatus)).catch(
      () => [],
    );
    return statuses.length === 4 && statuses.every((status) => status === 'UP');
  });
}, 30_000);

afterAll(async () => {
  await haproxy?.stop();
  for (const service of [...Object.values(services), frontend]) service.stop();
});

describe('haproxy.cfg', () => {
  it('passes `haproxy -c` with its defaults, with no warnings', () => {
    const output = execFileSync(haproxyBinary(), ['-c', '-f', CONFIG], { encoding: 'utf8', stdio: 'pipe' });
    expect(output).toContain('Configuration file is valid');
    expect(output).not.toContain('WARNING');
  });

  it('binds the edge and the stats page to loopback by default', () => {
    const text = execFileSync('cat', [CONFIG], { encoding: 'utf8' });
    expect(text).toMatch(/presetenv HTTP_BIND\s+127\.0\.0\.1:8080/);
    expect(text).toMatch(/presetenv STATS_BIND\s+127\.0\.0\.1:8404/);
  });
});

describe('the edge, running', () => {
  it.each([
    ['/api/auth/login', 'auth'],
    ['/api/auth', 'auth'],
    ['/api/items?q=lamp', 'items'],
    ['/api/items/0123456789abcdef01234567', 'items'],
    ['/api/discounts/quote', 'discounts'],
    ['/', 'frontend'],
    ['/items/0123456789abcdef01234567', 'frontend'],
    ['/cart', 'frontend'],
  ])('routes %s to %s', async (path, backend) => {
    const res = await fetch(`${edge}${path}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { backend: string }).backend).toBe(backend);
  });

  it.each(['/api/authz', '/api/unknown', '/api'])('answers %s with a JSON 404 of its own', async (path) => {
    const res = await fetch(`${edge}${path}`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No such API' } });
  });

  it('passes X-Forwarded-For and keeps a caller x-request-id', async () => {
    await fetch(`${edge}/api/items/with-id`, { headers: { 'x-request-id': 'edge-test-1' } });
    const seen = services.items.apiRequests.find((request) => request.path === '/api/items/with-id');
    expect(seen?.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen?.headers['x-request-id']).toBe('edge-test-1');
  });

  it('gives a request without one an x-request-id', async () => {
    const res = await fetch(`${edge}/api/auth/no-id`);
    const seen = services.auth.apiRequests.find((request) => request.path === '/api/auth/no-id');
    expect(seen?.headers['x-request-id']).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect(res.headers.get('x-request-id')).toBe(seen?.headers['x-request-id']);
  });

  it('never routes a request to a management port (only its own health checks go there)', async () => {
    for (const path of ['/readyz', '/healthz', '/metrics', '/api/items/../../readyz'])
      await fetch(`${edge}${path}`);
    // Health checks reach every management port...
    await eventually(() =>
      Promise.resolve(Object.values(services).every((service) => service.managementRequests.length > 0)),
    );
    // ...and nothing else does.
    for (const service of Object.values(services)) {
      for (const seen of service.managementRequests) {
        expect(seen.path).toBe('/readyz');
        expect(seen.headers['x-forwarded-for']).toBeUndefined();
      }
    }
  });

  it('refuses a body over 1 MB before it reaches a service', async () => {
    const before = services.items.apiRequests.length;
    const res = await fetch(`${edge}/api/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(1_100_000),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(services.items.apiRequests.length).toBe(before);
  });

  it('takes a service out when its readiness fails, answering 503 in the error shape, and back in after', async () => {
    services.discounts.ready = false;
    await eventually(async () => (await backendStatus('discounts')) === 'DOWN');
    const res = await fetch(`${edge}/api/discounts/quote`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      error: { code: 'SERVICE_UNAVAILABLE', message: 'The service is unavailable; try again shortly' },
    });
    services.discounts.ready = true;
    await eventually(async () => (await backendStatus('discounts')) === 'UP');
    expect((await fetch(`${edge}/api/discounts/quote`)).status).toBe(200);
  });

  it('serves Prometheus metrics and the stats page on the stats port', async () => {
    const metrics = await fetch(`${stats}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('haproxy_backend_status');
    expect((await fetch(`${stats}/stats`)).status).toBe(200);
    expect((await fetch(`${edge}/stats`)).status).toBe(200); // the edge's /stats is the frontend's page
    expect(frontend.apiRequests.some((request) => request.path === '/stats')).toBe(true);
  });
});
