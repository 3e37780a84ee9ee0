#!/usr/bin/env node
/**
 * The web app's bundle budget, checked after `vite build`: what a first visit to the catalog (`/`)
 * loads before it can show its first items, gzipped, against a budget for scripts and one for
 * styles.
 *
 * What is loaded is read from the Vite manifest (build.manifest): the entry chunk, every chunk it
 * imports statically (transitively), and their CSS; then the chunks those import lazily that are
 * not other routes (the catalog's content, the query library), with their own static imports and
 * CSS, since the catalog fetches them as soon as it renders and shows no item before they arrive.
 * The other routes (the pages src/App.tsx imports lazily) load only when shown and do not count.
 * The catalog page's own chunk, should it ever be split off, counts too. Each file is gzipped with
 * node:zlib at level 9, the smallest a server sends when it compresses ahead of time; nginx
 * compressing on the fly at its default level 1 sends more (the table shows both). 1 kB is 1,000
 * bytes.
 *
 *   node scripts/bundle-budget.mjs [--dist dist] [--js-kb 90] [--css-kb 15]
 *                                  [--route src/pages/CatalogPage.tsx] [--app src/App.tsx]
 *
 * Prints the tables and exits 1 when a total is over its budget, 2 when the build cannot be read.
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
 * The source modules src/App.tsx loads lazily for its routes (`import('./pages/ItemPage')`), as
 * the manifest names them.
 * @param {string} appSource the text of App.tsx
 * @param {Record<string, unknown>} manifest
 */
export function laterRoutes(appSource, manifest) {
  const keys = Object.keys(manifest);
  return [...appSource.matchAll(/import\(\s*['"]\.\/([^'"]+)['"]\s*\)/g)].flatMap(([, path]) =>
    keys.filter((key) => key === `src/${path}` || key.startsWith(`src/${path}.`)),
  );
}

/**
 * The files a first visit to the route loads: `initial`, the manifest's entry chunks with their
 * static imports, plus the route module's chunk when it is not part of them; and `atOnce`, the
 * chunks those import dynamically that are not other routes, with their own static imports. Each
 * with its CSS, scripts first.
 * @param {Record<string, {file: string, isEntry?: boolean, imports?: string[], dynamicImports?: string[], css?: string[]}>} manifest
 * @param {string} routeModule the route's page module, as the manifest names sources
 * @param {string[]} later the other routes' modules, which load only when their route is shown
 * @returns {{ initial: string[], atOnce: string[] }} paths relative to the build directory
 */
export function initialFiles(manifest, routeModule, later = []) {
  const seen = new Set();
  const collect = (roots) => {
    const scripts = [];
    const styles = [];
    const chunks = [];
    const visit = (key) => {
      const chunk = manifest[key];
      if (!chunk) throw new Error(`the manifest names ${key} but has no entry for it`);
      if (seen.has(chunk.file)) return;
      seen.add(chunk.file);
      scripts.push(chunk.file);
      chunks.push(chunk);
      for (const css of chunk.css ?? []) {
        if (seen.has(css)) continue;
        seen.add(css);
        styles.push(css);
      }
      for (const imported of chunk.imports ?? []) visit(imported);
    };
    for (const key of roots) visit(key);
    return { files: [...scripts, ...styles], chunks };
  };
  const entries = Object.keys(manifest).filter((key) => manifest[key].isEntry);
  if (entries.length === 0) throw new Error('the manifest has no entry chunk');
  const initial = collect([...entries, ...(manifest[routeModule] ? [routeModule] : [])]);
  const lazy = initial.chunks.flatMap((chunk) => chunk.dynamicImports ?? []);
  const atOnce = collect(lazy.filter((key) => !later.includes(key)));
  return { initial: initial.files, atOnce: atOnce.files };
}

const kB = (bytes) => (bytes / 1000).toFixed(2);

/**
 * Measures what a first visit to the route loads before its first content from `dist`, and
 * renders the report.
 * @returns {{ ok: boolean, report: string }}
 */
export function checkBudget({ dist, jsBudgetKb, cssBudgetKb, routeModule, appSource }) {
  const manifestPath = join(dist, '.vite', 'manifest.json');
  if (!existsSync(manifestPath))
    throw new Error(`${manifestPath} not found: build first (vite build, with build.manifest on)`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const { initial, atOnce } = initialFiles(manifest, routeModule, laterRoutes(appSource, manifest));
  const measure = (file) => {
    const content = readFileSync(join(dist, file));
    return {
      file,
      kind: file.endsWith('.css') ? 'css' : 'js',
      raw: content.length,
      gzip: gzipSync(content, { level: BUDGET_LEVEL }).length,
      nginx: gzipSync(content, { level: NGINX_LEVEL }).length,
    };
  };
  const initialRows = initial.map(measure);
  const atOnceRows = atOnce.map(measure);
  const totalsOf = (rows, kind) => {
    const of = rows.filter((row) => row.kind === kind);
    const sum = (key) => of.reduce((total, row) => total + row[key], 0);
    return { raw: sum('raw'), gzip: sum('gzip'), nginx: sum('nginx') };
  };

  const width = Math.max(30, ...[...initialRows, ...atOnceRows].map((row) => row.file.length));
  const line = (cells) =>
    cells.map((cell, index) => (index === 0 ? cell.padEnd(width) : cell.padStart(12))).join('  ');
  const sizes = (size) => [kB(size.raw), kB(size.gzip), kB(size.nginx)];
  const header = line(['file', 'raw kB', `gzip-${BUDGET_LEVEL} kB`, `gzip-${NGINX_LEVEL} kB`, 'budget kB']);
  let ok = true;
  const totalLines = (rows, label, budgeted) =>
    ['js', 'css'].map((kind) => {
      const size = totalsOf(rows, kind);
      const budgetKb = kind === 'js' ? jsBudgetKb : cssBudgetKb;
      const over = budgeted && size.gzip > budgetKb * 1000;
      if (over) ok = false;
      const budget = budgeted ? `${budgetKb.toFixed(2)}${over ? '  OVER' : ''}` : '';
      return line([`${kind.toUpperCase()} ${label}`, ...sizes(size), budget]);
    });

  const lazy = atOnceRows.length > 0;
  const out = [
    `Initial load of ${routeModule}: the entry chunk, its static imports and their CSS (gzip level ${BUDGET_LEVEL}):`,
    header,
    ...initialRows.map((row) => line([row.file, ...sizes(row), ''])),
    ...totalLines(initialRows, lazy ? 'initial' : 'total', !lazy),
    '',
    lazy
      ? 'Loaded lazily as soon as it renders, before its first items show (counted in the budget):'
      : 'Nothing else is loaded lazily as soon as it renders.',
    ...(lazy
      ? [
          header,
          ...atOnceRows.map((row) => line([row.file, ...sizes(row), ''])),
          ...totalLines([...initialRows, ...atOnceRows], 'total', true),
        ]
      : []),
  ];
  out.push(
    ok
      ? 'Within budget.'
      : `Over budget: the catalog must show its first items with at most ${jsBudgetKb} kB of script and ${cssBudgetKb} kB of style (gzip level ${BUDGET_LEVEL}). Split off what the catalog does not need for them (React.lazy in another route), or drop weight.`,
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
      app: { type: 'string', default: join(app, 'src', 'App.tsx') },
    },
  });
  try {
    const { ok, report } = checkBudget({
      dist: resolve(values.dist),
      jsBudgetKb: Number(values['js-kb']),
      cssBudgetKb: Number(values['css-kb']),
      routeModule: values.route,
      appSource: readFileSync(values.app, 'utf8'),
    });
    process.stdout.write(report);
    process.exitCode = ok ? 0 : 1;
  } catch (error) {
    process.stderr.write(`bundle budget: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  }
}
