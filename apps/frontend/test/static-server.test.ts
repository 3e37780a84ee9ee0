// @vitest-environment node
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SupervisedProcess } from '@platform/devstack';
import {
  eventually,
  findOnPath,
  freePort,
  portAcceptsConnections,
  spawnSupervised,
} from '@platform/devstack';

/**
 * The production image's nginx configuration, run by a real nginx over the real build: the same
 * server block, with only the paths and the port changed to fit a test.
 */
const app = join(__dirname, '..');
let nginx: SupervisedProcess;
let base: string;
let prefix: string;

beforeAll(async () => {
  const binary = findOnPath('nginx');
  if (!binary)
    throw new Error(
      'nginx is not installed: apt-get install nginx (the static server test runs the real one)',
    );
  prefix = mkdtempSync(join(tmpdir(), 'frontend-nginx-'));
  const port = await freePort();
  const server = readFileSync(join(app, 'nginx', 'default.conf'), 'utf8')
    .replace('listen 8080;', `listen 127.0.0.1:${port};`)
    .replace('root /usr/share/nginx/html;', `root ${join(app, 'dist')};`)
    .replaceAll('/etc/nginx/security-headers.conf', join(app, 'nginx', 'security-headers.conf'));
  writeFileSync(
    join(prefix, 'nginx.conf'),
    [
      'daemon off;',
      'worker_processes 1;',
      `pid ${join(prefix, 'nginx.pid')};`,
      `error_log ${join(prefix, 'error.log')} warn;`,
      'events { worker_connections 64; }',
      'http {',
      '  include /etc/nginx/mime.types;',
      `  access_log off; client_body_temp_path ${prefix}; proxy_temp_path ${prefix}; fastcgi_temp_path ${prefix}; uwsgi_temp_path ${prefix}; scgi_temp_path ${prefix};`,
      server,
      '}',
    ].join('\n'),
  );
  nginx = spawnSupervised(binary, ['-p', prefix, '-c', join(prefix, 'nginx.conf')]);
  base = `http://127.0.0.1:${port}`;
  await eventually(async () => {
    if (nginx.exitReason()) throw new Error(`${nginx.exitReason()}\n${nginx.output()}`);
    return portAcceptsConnections(port);
  });
}, 30_000);

afterAll(async () => {
  await nginx?.stop();
  rmSync(prefix, { recursive: true, force: true });
});

const expectSecurityHeaders = (res: Response) => {
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toContain('unsafe-inline');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
};

describe('the static server of the web app', () => {
  it('serves the app with security headers and no caching of index.html', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<div id="root"></div>');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('server')).toBe('nginx');
    expectSecurityHeaders(res);
  });

  it.each(['/cart', '/items/0123456789abcdef01234567', '/admin', '/no/such/page'])(
    'answers the app route %s with the app (SPA fallback)',
    async (path) => {
      const res = await fetch(`${base}${path}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('<div id="root"></div>');
    },
  );

  it('caches hashed assets for a year, with the same security headers', async () => {
    const asset = readdirSync(join(app, 'dist', 'assets')).find((name) => name.endsWith('.js'));
    const res = await fetch(`${base}/assets/${asset}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('javascript');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expectSecurityHeaders(res);
    expect((await fetch(`${base}/assets/missing-0000.js`)).status).toBe(404);
  });

  it('sends the level-9 gzip the build made of each script and style, the bytes the budget counts', async () => {
    const assets = readdirSync(join(app, 'dist', 'assets')).filter((name) => /\.(js|css)$/.test(name));
    expect(assets.length).toBeGreaterThan(1);
    for (const asset of assets) {
      const answer = await new Promise<{ encoding?: string; length: number }>((resolve, reject) => {
        get(`${base}/assets/${asset}`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
          let length = 0;
          res.on('data', (chunk: Buffer) => (length += chunk.length));
          res.on('end', () => resolve({ encoding: res.headers['content-encoding'], length }));
        }).on('error', reject);
      });
      const precompressed = statSync(join(app, 'dist', 'assets', `${asset}.gz`)).size;
      expect({ asset, ...answer }).toEqual({ asset, encoding: 'gzip', length: precompressed });
    }
  });

  it('serves no source map and not the build manifest', async () => {
    const asset = readdirSync(join(app, 'dist', 'assets')).find((name) => name.endsWith('.js'));
    for (const path of ['/.vite/manifest.json', `/assets/${asset}.map`, '/index.js.map', '/.env']) {
      const res = await fetch(`${base}${path}`);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
    expect(readdirSync(join(app, 'dist', 'assets')).filter((name) => name.endsWith('.map'))).toEqual([]);
  });

  it('does not turn /api paths into the app page', async () => {
    expect((await fetch(`${base}/api/items`)).status).toBe(404);
  });

  it('loads no script or style the CSP would block (no inline code in the build)', () => {
    const html = readFileSync(join(app, 'dist', 'index.html'), 'utf8');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style/);
    expect(html).not.toMatch(/ style=/);
  });
});
