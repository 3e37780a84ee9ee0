/** The report: one row per case and command, the growth between sizes, the targets. */
import { TARGET, type CommandName } from './cases';
import type { GeneratedCluster } from './generate';
import type { RunOutcome } from './run';

export interface CaseRecord {
  id: string;
  label: string;
  series: boolean;
  pods: number;
  namespaces: number;
  policies: number;
  ipBlocks: number;
  counts: GeneratedCluster['counts'];
  manifestBytes: number;
  generateMs: number;
}

export interface RunRecord {
  caseId: string;
  command: CommandName;
  /** The verifier's arguments, temp paths included. */
  args: string[];
  outcome: RunOutcome;
}

export interface MachineRecord {
  node: string;
  os: string;
  cpus: number;
  cpuModel: string;
  memoryBytes: number;
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  machine: MachineRecord;
  loadAverageStart: number[];
  loadAverageEnd: number[];
  seed: number;
  timeoutSec: number;
  /** The verifier module the children loaded. */
  netpolModule: string;
  cases: CaseRecord[];
  runs: RunRecord[];
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));
const thousands = (value: number) => value.toLocaleString('en-US');

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function wallSec(run: RunRecord): number | undefined {
  const measurement = run.outcome.measurement;
  return run.outcome.status === 'ok' && measurement ? measurement.wallMs / 1000 : undefined;
}

export function rssMiB(run: RunRecord): number | undefined {
  const measurement = run.outcome.measurement;
  return measurement ? measurement.maxRssKiB / 1024 : undefined;
}

function exitText(run: RunRecord): string {
  const { outcome } = run;
  if (outcome.status === 'timed out') return 'timed out';
  if (outcome.status === 'crashed') {
    const { code, signal } = outcome.processExit;
    return `crashed (${signal ?? `exit ${code ?? '?'}`})`;
  }
  if (outcome.status === 'threw') return 'threw';
  return String(outcome.measurement?.exitCode ?? '?');
}

function resultText(run: RunRecord): string {
  const measurement = run.outcome.measurement;
  if (!measurement || run.outcome.status !== 'ok') return '';
  if (measurement.exitCode === 2) return 'usage or input error';
  if (run.command === 'matrix') return `${thousands(measurement.flows)} from→to entries`;
  return measurement.exitCode === 0
    ? 'contract holds'
    : `does not hold, ${thousands(measurement.differences)} differences`;
}

/** Growth between consecutive sizes of the series, per command: wall time next to pods × policies. */
export function growth(
  report: BenchReport,
): { command: CommandName; from: string; to: string; wall?: number; work: number }[] {
  const series = report.cases.filter((c) => c.series);
  const commands = [...new Set(report.runs.map((run) => run.command))];
  const rows: { command: CommandName; from: string; to: string; wall?: number; work: number }[] = [];
  for (const command of commands) {
    for (let index = 1; index < series.length; index++) {
      const before = series[index - 1];
      const after = series[index];
      if (!before || !after) continue;
      const find = (id: string) => report.runs.find((run) => run.caseId === id && run.command === command);
      const first = find(before.id);
      const second = find(after.id);
      if (!first || !second) continue;
      const a = wallSec(first);
      const b = wallSec(second);
      rows.push({
        command,
        from: before.label,
        to: after.label,
        ...(a !== undefined && b !== undefined && a > 0 ? { wall: b / a } : {}),
        work: (after.pods * after.policies) / (before.pods * before.policies),
      });
    }
  }
  return rows;
}

function table(header: string[], rows: string[][]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ];
}

export function renderMarkdown(report: BenchReport): string {
  const cases = new Map(report.cases.map((c) => [c.id, c]));
  const lines: string[] = [
    '# netpol benchmark',
    '',
    `- started ${report.startedAt}, finished ${report.finishedAt}, seed ${report.seed}`,
    `- node ${report.machine.node} on ${report.machine.os}, ${report.machine.cpus} CPUs (${report.machine.cpuModel}), ` +
      `${(report.machine.memoryBytes / 1024 ** 3).toFixed(1)} GiB`,
    `- load average (1, 5, 15 min): start ${report.loadAverageStart.join(', ')}; end ${report.loadAverageEnd.join(', ')}`,
    `- verifier: ${report.netpolModule}; each run in a fresh process, time limit ${report.timeoutSec} s`,
    `- targets: ${TARGET.label} under ${TARGET.wallSec} s and ${TARGET.rssMiB / 1024} GiB per command; ` +
      'cost growing no faster than pods × policies',
    '',
    ...table(
      [
        'case',
        'pods',
        'namespaces',
        'policies',
        'command',
        'wall s',
        'peak RSS MiB',
        'exit code',
        'output size',
        'result',
        'child total s',
      ],
      report.runs.map((run) => {
        const c = cases.get(run.caseId);
        const wall = wallSec(run);
        const rss = rssMiB(run);
        const measurement = run.outcome.measurement;
        return [
          c?.label ?? run.caseId,
          thousands(c?.pods ?? 0),
          thousands(c?.namespaces ?? 0),
          thousands(c?.policies ?? 0),
          run.command,
          wall !== undefined
            ? wall.toFixed(2)
            : run.outcome.status === 'timed out'
              ? `> ${report.timeoutSec}`
              : '–',
          rss !== undefined ? rss.toFixed(0) : '–',
          exitText(run),
          measurement ? size(measurement.outputBytes) : '–',
          resultText(run),
          (run.outcome.childTotalMs / 1000).toFixed(2),
        ];
      }),
    ),
  ];

  const growthRows = growth(report);
  if (growthRows.length) {
    lines.push(
      '',
      '## Growth between sizes',
      '',
      'Wall time ratio next to the ratio of pods × policies; a wall ratio above it grows faster than the target allows.',
      '',
      ...table(
        ['command', 'from → to', 'wall ×', 'pods × policies ×', 'within'],
        growthRows.map((row) => [
          row.command,
          `${row.from} → ${row.to}`,
          row.wall !== undefined ? row.wall.toFixed(1) : '–',
          row.work.toFixed(1),
          row.wall === undefined ? '–' : row.wall <= row.work ? 'yes' : 'no',
        ]),
      ),
    );
  }

  const targetRuns = report.runs.filter((run) => run.caseId === TARGET.caseId);
  if (targetRuns.length) {
    lines.push('', '## Targets', '');
    for (const run of targetRuns) {
      const wall = wallSec(run);
      const rss = rssMiB(run);
      const verdict =
        wall === undefined || rss === undefined
          ? `not measured (${exitText(run)})`
          : wall < TARGET.wallSec && rss < TARGET.rssMiB
            ? 'met'
            : 'missed';
      lines.push(
        `- ${run.command} at ${cases.get(run.caseId)?.label ?? run.caseId}: ${verdict}` +
          (wall !== undefined && rss !== undefined
            ? ` (${wall.toFixed(2)} s of ${TARGET.wallSec} s, ${rss.toFixed(0)} MiB of ${TARGET.rssMiB} MiB)`
            : ''),
      );
    }
  }

  const problems = report.runs.filter(
    (run) => run.outcome.status !== 'ok' || run.outcome.measurement?.exitCode === 2,
  );
  if (problems.length) {
    lines.push('', '## Problems', '');
    for (const run of problems) {
      const detail =
        (run.outcome.status === 'timed out' ? `killed after ${report.timeoutSec} s` : undefined) ??
        run.outcome.measurement?.error ??
        run.outcome.measurement?.stderrHead.split('\n').slice(0, 3).join(' / ') ??
        run.outcome.stderrTail.trim().split('\n').slice(-3).join(' / ');
      lines.push(
        `- ${cases.get(run.caseId)?.label ?? run.caseId} ${run.command}: ${exitText(run)}: ${detail || '(no message)'}`,
      );
    }
  }
  lines.push(
    '',
    'Wall time is measured inside the child around the runCli call; "child total" adds Node start-up and loading. ' +
      'On a shared machine single timings are noisy: compare the ratios.',
    '',
  );
  return lines.join('\n');
}

export function renderJson(report: BenchReport): string {
  return `${JSON.stringify(
    {
      ...report,
      growth: growth(report).map((row) => ({
        ...row,
        ...(row.wall !== undefined ? { wall: round(row.wall, 3) } : {}),
        work: round(row.work, 3),
      })),
    },
    null,
    2,
  )}\n`;
}
