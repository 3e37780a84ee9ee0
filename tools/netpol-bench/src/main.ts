/** `npm run bench:netpol`: see `--help`. Progress goes to stderr, the Markdown report to stdout. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, cpus, loadavg, release, tmpdir, totalmem, type } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseOptions, USAGE, UsageError, type BenchOptions } from './args';
import { CASES, commandArgs, TARGET } from './cases';
import { generateCluster } from './generate';
import { renderJson, renderMarkdown, type BenchReport, type CaseRecord, type RunRecord } from './report';
import { killCurrentChild, runMeasured } from './run';

const REPO_ROOT = join(__dirname, '..', '..', '..');
const OUT_DIR = join(REPO_ROOT, '.bench', 'netpol');
const CHILD = join(__dirname, 'child.js');
const say = (line: string) => process.stderr.write(`[bench:netpol] ${line}\n`);
const load = () => loadavg().map((value) => Math.round(value * 100) / 100);

/** The verifier's built entry point, or its package name when it does not resolve (each run then reports why). */
function verifierModule(): string {
  try {
    return createRequire(__filename).resolve('@platform/netpol');
  } catch (error) {
    say(
      `@platform/netpol does not resolve (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); is it built?`,
    );
    return '@platform/netpol';
  }
}

async function bench(options: BenchOptions, workDir: string): Promise<BenchReport> {
  const processors = cpus();
  const report: BenchReport = {
    startedAt: new Date().toISOString(),
    finishedAt: '',
    machine: {
      node: process.version,
      os: `${type()} ${release()} ${arch()}`,
      cpus: processors.length,
      cpuModel: processors[0]?.model.trim() ?? 'unknown',
      memoryBytes: totalmem(),
    },
    loadAverageStart: load(),
    loadAverageEnd: [],
    seed: options.seed,
    timeoutSec: options.timeoutSec,
    netpolModule: verifierModule(),
    cases: [],
    runs: [],
  };
  say(
    `node ${process.version}, ${processors.length} CPUs, load average ${report.loadAverageStart.join(' ')}`,
  );
  say(
    `targets: ${TARGET.label} under ${TARGET.wallSec} s and ${TARGET.rssMiB / 1024} GiB; growth no faster than pods × policies`,
  );
  for (const benchCase of CASES.filter((c) => options.caseIds.includes(c.id))) {
    const started = performance.now();
    const cluster = generateCluster({ ...benchCase.cluster, seed: options.seed });
    const generateMs = performance.now() - started;
    const caseDir = join(workDir, benchCase.id);
    const paths = { manifests: join(caseDir, 'manifests'), contract: join(caseDir, 'contract.yaml') };
    // The contract sits beside the manifests directory, not in it: matrix reads every YAML file there.
    mkdirSync(paths.manifests, { recursive: true });
    writeFileSync(join(paths.manifests, 'cluster.yaml'), cluster.manifests);
    writeFileSync(paths.contract, cluster.contract);
    const record: CaseRecord = {
      id: benchCase.id,
      label: benchCase.label,
      series: benchCase.series,
      pods: cluster.counts.pods,
      namespaces: cluster.namespaces.length,
      policies: cluster.counts.policies,
      ipBlocks: cluster.counts.ipBlocks,
      counts: cluster.counts,
      manifestBytes: Buffer.byteLength(cluster.manifests),
      generateMs,
    };
    report.cases.push(record);
    say(
      `${benchCase.label}: ${record.pods} pods (${cluster.counts.deployments} Deployments, ${cluster.counts.barePods} bare Pods), ` +
        `${record.namespaces} namespaces, ${record.policies} policies, ${record.ipBlocks} ipBlocks, ` +
        `${(record.manifestBytes / 1024 / 1024).toFixed(1)} MiB of YAML in ${(generateMs / 1000).toFixed(1)} s`,
    );
    for (const command of options.commands) {
      const args = commandArgs(command, paths, cluster.namespaces);
      say(`  ${command}…`);
      const outcome = await runMeasured(CHILD, report.netpolModule, args, options.timeoutSec * 1000);
      const run: RunRecord = { caseId: benchCase.id, command, args, outcome };
      report.runs.push(run);
      const m = outcome.measurement;
      say(
        `  ${command}: ${outcome.status}` +
          (m
            ? `, exit ${m.exitCode ?? '-'}, ${(m.wallMs / 1000).toFixed(2)} s, ${(m.maxRssKiB / 1024).toFixed(0)} MiB` +
              (m.error ? `: ${m.error}` : '')
            : `: ${outcome.stderrTail.trim().split('\n').slice(-1)[0] ?? ''}`),
      );
    }
  }
  report.loadAverageEnd = load();
  report.finishedAt = new Date().toISOString();
  return report;
}

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`bench:netpol: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const workDir = mkdtempSync(join(tmpdir(), 'netpol-bench-'));
  const cleanUp = () => {
    if (options.keep) say(`generated manifests kept in ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    say(`${signal}: stopping the run in progress`);
    killCurrentChild();
    cleanUp();
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const report = await bench(options, workDir);
    const markdown = renderMarkdown(report);
    mkdirSync(OUT_DIR, { recursive: true });
    writeFileSync(join(OUT_DIR, 'report.md'), markdown);
    writeFileSync(join(OUT_DIR, 'report.json'), renderJson(report));
    process.stdout.write(markdown);
    say(`load average at the end ${report.loadAverageEnd.join(' ')}`);
    say(`report written to ${join(OUT_DIR, 'report.md')} and report.json`);
    const failed = report.runs.filter(
      (run) => run.outcome.status !== 'ok' || run.outcome.measurement?.exitCode === 2,
    );
    if (failed.length) {
      say(`${failed.length} run(s) measured nothing (see Problems in the report)`);
      return 1;
    }
    return 0;
  } finally {
    cleanUp();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    say(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  },
);
