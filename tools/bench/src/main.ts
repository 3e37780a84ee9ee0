/** `npm run bench`: see `npm run bench -- --help`. Progress goes to stderr, the Markdown report to stdout. */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@platform/devstack';
import { parseArgs, usage, UsageError } from './args';
import { runInstructionBenchmark } from './instructions';
import { ProcessGroup } from './processes';
import { renderJson, renderMarkdown, reportBaseName } from './report';
import { runBenchmark } from './run';

const DEFAULT_OUT_DIR = join(repoRoot, 'bench', 'results');
const say = (line: string) => process.stderr.write(`[bench] ${line}\n`);

async function main(): Promise<number> {
  let options;
  try {
    options = parseArgs(process.argv.slice(2), process.env, DEFAULT_OUT_DIR);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`npm run bench: ${error.message}\n\n${usage(DEFAULT_OUT_DIR)}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${usage(DEFAULT_OUT_DIR)}\n`);
    return 0;
  }

  const controller = new AbortController();
  const group = new ProcessGroup();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      say(`${signal} again: killing what is left and exiting now`);
      group.killAll();
      process.exit(130);
    }
    say(`${signal}: stopping everything (again to force)…`);
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const hooks = { log: say, signal: controller.signal };
    const report = options.instructions
      ? await runInstructionBenchmark(options, hooks, group)
      : await runBenchmark(options, hooks, group);
    const markdown = renderMarkdown(report);
    mkdirSync(options.outDir, { recursive: true });
    const base = join(options.outDir, reportBaseName(new Date(report.startedAt)));
    writeFileSync(`${base}.md`, markdown);
    writeFileSync(`${base}.json`, renderJson(report));
    copyFileSync(`${base}.md`, join(options.outDir, 'latest.md'));
    copyFileSync(`${base}.json`, join(options.outDir, 'latest.json'));
    process.stdout.write(markdown);
    say(`report written to ${base}.md and .json (and latest.md, latest.json)`);
    if (report.status !== 'ok') {
      say(`FAILED: ${report.failures.length} problem(s); see the end of the report`);
      return 1;
    }
    return 0;
  } catch (error) {
    if (controller.signal.aborted) {
      say('interrupted; everything it started is stopped');
      return 130;
    }
    throw error;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `npm run bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
