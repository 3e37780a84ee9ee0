#!/usr/bin/env node
/**
 * How soon the catalog shows something, through the production build, in real Chromium: First
 * Contentful Paint (the browser's `paint` entry) and the time until the first item card is visible
 * (a link to an item page in <main>), both from navigation start, plus the script and style bytes
 * fetched by then. Each run is a first visit (a fresh browser context, empty cache); the median of
 * the runs is printed last. A measurement to read, not a test: nothing fails on a number.
 *
 * By default it serves dist/ (build first) with the image's own nginx configuration
 * (nginx/default.conf, only the port and paths changed, as test/static-server.test.ts runs it),
 * whose /api/ is sent to a stub answering the catalog's requests with the demo catalog that
 * `npm run seed` stores. `--url` measures a running platform instead (e.g. http://localhost:8080
 * after `npm start`, which serves the web app through Vite's dev server, not this build).
 *
 *   node scripts/first-content.mjs [--runs 5] [--slow] [--url http://localhost:8080]
 *
 * --slow emulates a slow phone on a slow network through the DevTools protocol: 4x CPU slowdown,
 * 150 ms round trips, 1.6 Mbit/s down and 750 kbit/s up (Lighthouse's mobile profile).
 * Needs nginx and Chromium (/usr/bin/chromium, or CHROMIUM_PATH); no browser is downloaded.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

/* global window, document, MutationObserver -- in the functions that run in the page */

const app = dirname(dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);
const {
  eventually,
  findOnPath,
  freePort,
  portAcceptsConnections,
  spawnSupervised,
} = require('@platform/devstack');

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// As root in a sandbox: no Chromium sandbox, and no background traffic (as tools/e2e runs it).
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** The first item card: a link to an item page in the main content. */
const FIRST_CARD = 'main a[href^="/items/"]';

/** The demo catalog as items answers it, from the items package's own seed data. */
function demoItems() {
  const { DEMO_CATALOG, itemImagePath } = require('@platform/items');
  return DEMO_CATALOG.map(([name, category, priceCents, description], index) => ({
    id: (index + 1).toString(16).padStart(24, '0'),
    name,
    description,
    priceCents,
    currency: 'EUR',
    category,
    stock: 10,
    image: itemImagePath(name),
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  }));
}

/** Answers what the catalog asks for on a first visit; anything else gets a 404 in the error shape. */
function stubApi(items) {
  const json = (res, status, body) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    if (req.method === 'GET' && url.pathname === '/api/items') {
      const page = Number(url.searchParams.get('page') ?? 1);
      const limit = Math.min(100, Number(url.searchParams.get('limit') ?? 20));
      const category = url.searchParams.get('category');
      const matching = items.filter((item) => !category || item.category === category);
      const sorted = [...matching].sort((a, b) => a.name.localeCompare(b.name));
      return json(res, 200, {
        items: sorted.slice((page - 1) * limit, page * limit),
        page,
        limit,
        total: sorted.length,
      });
    }
    if (req.method === 'GET' && url.pathname === '/api/items/categories')
      return json(res, 200, { categories: [...new Set(items.map((item) => item.category))].sort() });
    if (req.method === 'GET' && url.pathname === '/api/discounts/active')
      return json(res, 200, {
        discounts: [
          {
            id: 'd'.repeat(24),
            description: 'Kitchen week',
            percentOff: 15,
            appliesTo: { type: 'category', category: 'kitchen' },
            active: true,
            createdAt: '2026-01-01T00:00:00.000Z',
            updatedAt: '2026-01-01T00:00:00.000Z',
          },
        ],
      });
    return json(res, 404, {
      error: { code: 'NOT_FOUND', message: `no stub for ${req.method} ${url.pathname}` },
    });
  });
}

/** nginx with the image's server block over dist/, its /api/ sent to the stub. */
async function serveBuild(apiPort) {
  const dist = join(app, 'dist');
  if (!existsSync(join(dist, 'index.html')))
    throw new Error('dist/index.html not found: build first (npm run build -w @platform/frontend)');
  const binary = findOnPath('nginx');
  if (!binary) throw new Error('nginx is not installed: apt-get install nginx');
  const prefix = mkdtempSync(join(tmpdir(), 'first-content-'));
  const port = await freePort();
  const server = readFileSync(join(app, 'nginx', 'default.conf'), 'utf8')
    .replace('listen 8080;', `listen 127.0.0.1:${port};`)
    .replace('root /usr/share/nginx/html;', `root ${dist};`)
    .replaceAll('/etc/nginx/security-headers.conf', join(app, 'nginx', 'security-headers.conf'))
    .replace(
      /location \/api\/ \{[^}]*\}/,
      `location /api/ { proxy_pass http://127.0.0.1:${apiPort}; proxy_set_header Host $host; }`,
    );
  if (!server.includes(`proxy_pass http://127.0.0.1:${apiPort}`))
    throw new Error('nginx/default.conf has no "location /api/ { ... }" block to send to the stub');
  writeFileSync(
    join(prefix, 'nginx.conf'),
    [
      'daemon off;',
      'worker_processes 1;',
      `pid ${join(prefix, 'nginx.pid')};`,
      `error_log ${join(prefix, 'error.log')} warn;`,
      'events { worker_connections 256; }',
      'http {',
      '  include /etc/nginx/mime.types;',
      `  access_log off; client_body_temp_path ${prefix}; proxy_temp_path ${prefix}; fastcgi_temp_path ${prefix}; uwsgi_temp_path ${prefix}; scgi_temp_path ${prefix};`,
      server,
      '}',
    ].join('\n'),
  );
  const nginx = spawnSupervised(binary, ['-p', prefix, '-c', join(prefix, 'nginx.conf')]);
  await eventually(async () => {
    if (nginx.exitReason()) throw new Error(`nginx: ${nginx.exitReason()}\n${nginx.output()}`);
    return portAcceptsConnections(port);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      await nginx.stop();
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}

/** One first visit: FCP, first card, and the script and style bytes fetched until the card showed. */
async function measure(browser, url, slow) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  try {
    if (slow) {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 150,
        downloadThroughput: (1.6 * 1024 * 1024) / 8,
        uploadThroughput: (750 * 1024) / 8,
      });
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    }
    // Record when the first card is in the document and visible, from inside the page.
    await page.addInitScript((selector) => {
      const check = () => {
        const card = document.querySelector(selector);
        if (card && card.getClientRects().length > 0 && window.__firstCard === undefined) {
          window.__firstCard = performance.now();
          return true;
        }
        return false;
      };
      new MutationObserver((_records, observer) => check() && observer.disconnect()).observe(document, {
        childList: true,
        subtree: true,
      });
    }, FIRST_CARD);
    await page.goto(`${url}/`, { waitUntil: 'commit' });
    await page.waitForSelector(FIRST_CARD, { state: 'visible', timeout: 60_000 });
    await page.waitForFunction(() => window.__firstCard !== undefined);
    return await page.evaluate(() => {
      const firstCard = window.__firstCard;
      const fcp = performance
        .getEntriesByType('paint')
        .find((entry) => entry.name === 'first-contentful-paint');
      const loaded = performance
        .getEntriesByType('resource')
        .filter(
          (entry) => entry.responseEnd <= firstCard && /\.(js|css)$/.test(new URL(entry.name).pathname),
        );
      return {
        fcp: fcp?.startTime ?? Number.NaN,
        firstCard,
        files: loaded.length,
        bytes: loaded.reduce((total, entry) => total + entry.encodedBodySize, 0),
      };
    });
  } finally {
    await context.close();
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

async function main() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '5' },
      slow: { type: 'boolean', default: false },
      url: { type: 'string' },
    },
  });
  const runs = Math.max(1, Number(values.runs) || 5);
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);

  const cleanups = [];
  try {
    let url = values.url?.replace(/\/$/, '');
    if (!url) {
      const api = stubApi(demoItems());
      api.listen(0, '127.0.0.1');
      await new Promise((resolve) => api.once('listening', resolve));
      cleanups.push(() => new Promise((resolve) => api.close(resolve)));
      const web = await serveBuild(api.address().port);
      cleanups.push(web.stop);
      url = web.url;
    }
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    cleanups.push(() => browser.close());

    const what = values.url ? url : `${url} (dist/ through the image's nginx configuration, stubbed API)`;
    const profile = values.slow ? '4x CPU slowdown, 150 ms RTT, 1.6 Mbit/s' : 'no throttling';
    process.stdout.write(`First content of the catalog at ${what}, ${profile}, ${runs} first visits:\n`);
    const line = (cells) => cells.map((cell, index) => (index ? cell.padStart(14) : cell.padEnd(8))).join('');
    process.stdout.write(`${line(['run', 'FCP ms', 'first card ms', 'JS+CSS kB', 'files'])}\n`);
    const results = [];
    for (let run = 1; run <= runs; run++) {
      const result = await measure(browser, url, values.slow);
      results.push(result);
      process.stdout.write(
        `${line([String(run), result.fcp.toFixed(0), result.firstCard.toFixed(0), (result.bytes / 1000).toFixed(1), String(result.files)])}\n`,
      );
    }
    process.stdout.write(
      `${line([
        'median',
        median(results.map((result) => result.fcp)).toFixed(0),
        median(results.map((result) => result.firstCard)).toFixed(0),
        (median(results.map((result) => result.bytes)) / 1000).toFixed(1),
        '',
      ])}\n`,
    );
    process.stdout.write(
      '(bytes as sent, before decompression: what crossed the network until the first card)\n',
    );
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

main().catch((error) => {
  process.stderr.write(`first-content: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
