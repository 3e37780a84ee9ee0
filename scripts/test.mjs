#!/usr/bin/env node
// Runs every project's tests through nx (building what they need first) and ends with one
// summary line over all projects: "tests: N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const projectDirs = ['apps', 'libs', 'tools', 'deploy'].flatMap((group) => {
  const dir = join(root, group);
  return existsSync(dir) ? readdirSync(dir).map((name) => join(dir, name)) : [];
});
const resultFiles = projectDirs.map((dir) => join(dir, '.test-results.json'));
for (const file of resultFiles) rmSync(file, { force: true });

const run = spawnSync(
  'npx',
  ['nx', 'run-many', '-t', 'test', '--output-style=stream', ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
  },
);

const totals = { passed: 0, failed: 0, skipped: 0, brokenSuites: 0 };
for (const file of resultFiles.filter((path) => existsSync(path))) {
  const result = JSON.parse(readFileSync(file, 'utf8'));
  // Jest and Vitest write the same report shape, except that only Jest counts suites that could
  // not run; a failed suite with no failed test is one that never ran its tests.
  const failedTests = result.numFailedTests ?? 0;
  totals.passed += result.numPassedTests ?? 0;
  totals.failed += failedTests;
  totals.skipped += (result.numPendingTests ?? 0) + (result.numTodoTests ?? 0);
  totals.brokenSuites +=
    failedTests === 0 ? (result.numFailedTestSuites ?? 0) : (result.numRuntimeErrorTestSuites ?? 0);
}
// A suite that could not even load counts as a failure: its tests never ran.
const failed = totals.failed + totals.brokenSuites;
console.log(`\ntests: ${totals.passed} passed, ${failed} failed, ${totals.skipped} skipped`);
process.exit(run.status === 0 && failed === 0 ? 0 : run.status || 1);
