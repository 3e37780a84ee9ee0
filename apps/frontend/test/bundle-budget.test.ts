// @vitest-environment node
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** scripts/bundle-budget.mjs, run as the build runs it, on builds made up for each case. */
const script = join(__dirname, '..', 'scripts', 'bundle-budget.mjs');
let dist: string;

beforeEach(() => {
  dist = mkdtempSync(join(tmpdir(), 'bundle-budget-'));
  mkdirSync(join(dist, '.vite'));
  mkdirSync(join(dist, 'assets'));
});
afterEach(() => rmSync(dist, { recursive: true, force: true }));

/** Random bytes do not compress: a file of n kB weighs n kB gzipped too (plus a few bytes). */
const asset = (name: string, kB: number) => writeFileSync(join(dist, 'assets', name), randomBytes(kB * 1000));

/** The route table: the admin page is another route, loaded when it is shown. */
const appSource = "const AdminPage = lazy(() => import('./pages/AdminPage').then((page) => page));\n";

function build(manifest: Record<string, unknown>, files: Record<string, number>) {
  writeFileSync(join(dist, '.vite', 'manifest.json'), JSON.stringify(manifest));
  writeFileSync(join(dist, 'App.tsx'), appSource);
  for (const [name, kB] of Object.entries(files)) asset(name, kB);
}

const run = (...args: string[]) => {
  const result = spawnSync(
    process.execPath,
    [script, '--dist', dist, '--app', join(dist, 'App.tsx'), ...args],
    { encoding: 'utf8' },
  );
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
};

const app = {
  'index.html': {
    file: 'assets/index.js',
    src: 'index.html',
    isEntry: true,
    imports: ['_vendor.js'],
    dynamicImports: ['src/pages/AdminPage.tsx'],
    css: ['assets/index.css'],
  },
  '_vendor.js': { file: 'assets/vendor.js', imports: [], css: ['assets/vendor.css'] },
  'src/pages/AdminPage.tsx': {
    file: 'assets/AdminPage.js',
    src: 'src/pages/AdminPage.tsx',
    isDynamicEntry: true,
    imports: ['index.html'],
    css: ['assets/AdminPage.css'],
  },
};

describe('the bundle budget', () => {
  it('counts the entry, its static imports and their CSS, not the routes loaded later', () => {
    build(app, {
      'index.js': 30,
      'vendor.js': 50,
      'index.css': 4,
      'vendor.css': 4,
      'AdminPage.js': 500,
      'AdminPage.css': 100,
    });
    const { status, output } = run();
    expect(output).toMatch(/assets\/index\.js/);
    expect(output).toMatch(/assets\/vendor\.js/);
    expect(output).toMatch(/assets\/vendor\.css/);
    expect(output).not.toMatch(/AdminPage/);
    expect(output).toMatch(/gzip level 9/);
    expect(output).toMatch(/JS total +80\.\d\d +80\.\d\d +80\.\d\d +90\.00\n/);
    expect(output).toMatch(/CSS total +8\.00 +8\.\d\d +8\.\d\d +15\.00\n/);
    expect(output).toContain('Within budget.');
    expect(status).toBe(0);
  });

  it('fails when the scripts are over budget', () => {
    build(app, { 'index.js': 30, 'vendor.js': 61, 'index.css': 1, 'vendor.css': 1 });
    const { status, output } = run();
    expect(output).toMatch(/JS total .* 90\.00 {2}OVER/);
    expect(output).toMatch(/Over budget/);
    expect(status).toBe(1);
  });

  it('fails when the styles are over budget', () => {
    build(app, { 'index.js': 10, 'vendor.js': 10, 'index.css': 10, 'vendor.css': 6 });
    const { status, output } = run();
    expect(output).toMatch(/CSS total .* 15\.00 {2}OVER/);
    expect(status).toBe(1);
  });

  it('takes the budgets from the command line', () => {
    build(app, { 'index.js': 30, 'vendor.js': 61, 'index.css': 1, 'vendor.css': 1 });
    expect(run('--js-kb', '100').status).toBe(0);
    expect(run('--js-kb', '50').status).toBe(1);
  });

  it('counts the catalog page should it ever be split off, since the catalog loads it at once', () => {
    build(
      {
        ...app,
        'src/pages/CatalogPage.tsx': {
          file: 'assets/CatalogPage.js',
          src: 'src/pages/CatalogPage.tsx',
          isDynamicEntry: true,
          imports: ['index.html'],
        },
      },
      { 'index.js': 30, 'vendor.js': 50, 'index.css': 1, 'vendor.css': 1, 'CatalogPage.js': 20 },
    );
    const { status, output } = run();
    expect(output).toMatch(/assets\/CatalogPage\.js/);
    expect(status).toBe(1);
  });

  it('counts what the catalog loads lazily as soon as it renders, not the other routes', () => {
    const withContent = (contentKb: number) =>
      build(
        {
          ...app,
          'index.html': {
            ...app['index.html'],
            dynamicImports: ['src/pages/AdminPage.tsx', 'src/pages/Content.tsx'],
          },
          'src/pages/Content.tsx': {
            file: 'assets/Content.js',
            src: 'src/pages/Content.tsx',
            isDynamicEntry: true,
            imports: ['index.html', '_query.js'],
            css: ['assets/Content.css'],
          },
          '_query.js': { file: 'assets/query.js', imports: ['index.html'] },
        },
        {
          'index.js': 30,
          'vendor.js': 40,
          'index.css': 1,
          'vendor.css': 1,
          'Content.js': contentKb,
          'Content.css': 2,
          'query.js': 10,
          'AdminPage.js': 500,
        },
      );

    withContent(5);
    const within = run();
    expect(within.output).toMatch(/Loaded lazily as soon as it renders[^\n]*counted in the budget/);
    expect(within.output).toMatch(/assets\/Content\.js/);
    expect(within.output).toMatch(/assets\/Content\.css/);
    expect(within.output).toMatch(/assets\/query\.js/);
    expect(within.output).not.toMatch(/AdminPage/);
    expect(within.output).toMatch(/JS initial +70\.\d\d +70\.\d\d +70\.\d\d *\n/);
    expect(within.output).toMatch(/JS total +85\.\d\d +85\.\d\d +85\.\d\d +90\.00\n/);
    expect(within.output).toMatch(/CSS total +4\.\d\d +4\.\d\d +4\.\d\d +15\.00\n/);
    expect(within.status).toBe(0);

    // The entry alone stays within the budget; what the catalog needs for its first items does not.
    withContent(15);
    const over = run();
    expect(over.output).toMatch(/JS initial +70\.\d\d/);
    expect(over.output).toMatch(/JS total .* 90\.00 {2}OVER/);
    expect(over.status).toBe(1);
  });

  it('says so when there is no build to measure', () => {
    writeFileSync(join(dist, 'App.tsx'), appSource);
    const { status, output } = run();
    expect(output).toMatch(/manifest\.json not found: build first/);
    expect(status).toBe(2);
  });
});
