#!/usr/bin/env node
/**
 * The web app's bundle budget, checked after `vite build`: what a first visit to the catalog (`/`)
 * loads before it can show anything, gzipped, against a budget for scripts and one for styles.
 *
 * What is loaded is read from the Vite manifest (build.manifest): the entry chunk, every chunk it
 * imports statically (transitively), and their CSS. Chunks behind a dynamic import (the other
 * routes) load later and do not count, except the catalog page's own chunk should it ever be split
 * off, since `/` loads it at once. Each file is gzipped with node:zlib at level 9, the smallest a
 * server sends when it compresses ahead of time; nginx compressing on the fly at its default level 1
 * sends somewhat more (the table shows both). 1 kB is 1,000 bytes.
 *
 *   node scripts/bundle-budget.mjs [--dist dist] [--js-kb 90] [--css-kb 15] [--route src/pages/CatalogPage.tsx]
 *
 * Prints a table and exits 1 when either total is over its budget, 2 when the build cannot be read.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

const app = dirname(dirname(fileURLToPath(import.meta.url)));

/** The gzip level the budget is measured at; the other column is nginx's default `gzip_comp_level`. */
export const BUDGET_LEVEL = 9;
const NGINX_LEVEL = 1;

/**
 * The files a first visit to the route loads: the manifest's entry chunks with their static
 * imports, plus the route module's chunk when it is not part of them, each with its CSS.
 * @param {Record<string, {file: string, isEntry?: boolean, imports?: string[], css?: string[]}>} manifest
 * @param {string} routeModule the route's page module, as the manifest names sources
 * @returns {string[]} paths relative to the build directory, scripts first
 */
export function initialFiles(manifest, routeModule) {
  const scripts = new Set();
  const styles = new Set();
  const visit = (key) => {
    const chunk = manifest[key];
    if (!chunk) throw new Error(`the manifest names ${key} but has no entry for it`);
    if (scripts.has(chunk.file)) return;
    scripts.add(chunk.file);
    for (const css of chunk.css ?? []) styles.add(css);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  const entries = Object.keys(manifest).filter((key) => manifest[key].isEntry);
  if (entries.length === 0) throw new Error('the manifest has no entry chunk');
  for (const key of entries) visit(key);
  if (manifest[routeModule]) visit(routeModule);
  return [...scripts, ...styles];
}

const kB = (bytes) => (bytes / 1000).toFixed(2);

/**
 * Measures the initial files of `dist` and renders the report.
 * @returns {{ ok: boolean, report: string }}
 */
export function checkBudget({ dist, jsBudgetKb, cssBudgetKb, routeModule }) {
  const manifestPath = join(dist, '.vite', 'manifest.json');
  if (!existsSync(manifestPath))
    throw new Error(`${manifestPath} not found: build first (vite build, with build.manifest on)`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const rows = initialFiles(manifest, routeModule).map((file) => {
    const content = readFileSync(join(dist, file));
    return {
      file,
      kind: file.endsWith('.css') ? 'css' : 'js',
      raw: content.length,
      gzip: gzipSync(content, { level: BUDGET_LEVEL }).length,
      nginx: gzipSync(content, { level: NGINX_LEVEL }).length,
    };
  });
  const totals = ['js', 'css'].map((kind) => {
    const of = rows.filter((row) => row.kind === kind);
    const sum = (key) => of.reduce((total, row) => total + row[key], 0);
    const budgetKb = kind === 'js' ? jsBudgetKb : cssBudgetKb;
    return { kind, raw: sum('raw'), gzip: sum('gzip'), nginx: sum('nginx'), budgetKb };
  });

  const width = Math.max(24, ...rows.map((row) => row.file.length));
  const line = (cells) =>
    cells.map((cell, index) => (index === 0 ? cell.padEnd(width) : cell.padStart(12))).join('  ');
  const out = [
    `Initial load of ${routeModule} (the entry chunk, its static imports and their CSS), gzip level ${BUDGET_LEVEL}:`,
    line(['file', 'raw kB', `gzip-${BUDGET_LEVEL} kB`, `gzip-${NGINX_LEVEL} kB`, 'budget kB']),
    ...rows.map((row) => line([row.file, kB(row.raw), kB(row.gzip), kB(row.nginx), ''])),
  ];
  let ok = true;
  for (const total of totals) {
    const over = total.gzip > total.budgetKb * 1000;
    if (over) ok = false;
    out.push(
      line([
        `${total.kind.toUpperCase()} total`,
        kB(total.raw),
        kB(total.gzip),
        kB(total.nginx),
        `${total.budgetKb.toFixed(2)}${over ? '  OVER' : ''}`,
      ]),
    );
  }
  out.push(
    ok
      ? 'Within budget.'
      : `Over budget: the catalog's first load must stay within ${jsBudgetKb} kB of script and ${cssBudgetKb} kB of style (gzip level ${BUDGET_LEVEL}). Split off what the catalog does not need at once (React.lazy), or drop weight.`,
  );
  return { ok, report: `${out.join('\n')}\n` };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      dist: { type: 'string', default: join(app, 'dist') },
      'js-kb': { type: 'string', default: '90' },
      'css-kb': { type: 'string', default: '15' },
      route: { type: 'string', default: 'src/pages/CatalogPage.tsx' },
    },
  });
  try {
    const { ok, report } = checkBudget({
      dist: resolve(values.dist),
      jsBudgetKb: Number(values['js-kb']),
      cssBudgetKb: Number(values['css-kb']),
      routeModule: values.route,
    });
    process.stdout.write(report);
    process.exitCode = ok ? 0 : 1;
  } catch (error) {
    process.stderr.write(`bundle budget: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  }
}
