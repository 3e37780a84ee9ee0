import type { CheckResult } from './analysis';
import { flowKey, type Flow } from './contract';
import type { SideVerdict, Verdict } from './engine';

export type MatrixFormat = 'text' | 'markdown' | 'json' | 'mermaid';

const portOf = (flow: Flow) => `${flow.port}/${flow.protocol}`;

/** Allowed flows grouped by source and destination, ports joined: one row per pair. */
function rows(flows: Flow[]): [string, string, string][] {
  const pairs = new Map<string, [string, string, string[]]>();
  for (const flow of flows) {
    const key = `${flow.from}\u0000${flow.to}`;
    const row = pairs.get(key) ?? [flow.from, flow.to, []];
    row[2].push(portOf(flow));
    pairs.set(key, row);
  }
  return [...pairs.values()].map(([from, to, ports]) => [from, to, ports.join(', ')]);
}

function textTable(header: string[], body: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...body.map((row) => row[column]?.length ?? 0)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)].join('\n');
}

const mermaidId = (id: string) => id.replace(/[^A-Za-z0-9_]/g, '_');

export function formatMatrix(flows: Flow[], format: MatrixFormat): string {
  const header = ['from', 'to', 'ports'];
  switch (format) {
    case 'json':
      return JSON.stringify(flows, null, 2);
    case 'markdown':
      return [
        `| ${header.join(' | ')} |`,
        `| ${header.map(() => '---').join(' | ')} |`,
        ...rows(flows).map((row) => `| ${row.map((cell) => `\`${cell}\``).join(' | ')} |`),
      ].join('\n');
    case 'mermaid': {
      const nodes = [...new Set(flows.flatMap((flow) => [flow.from, flow.to]))].sort();
      return [
        'graph LR',
        ...nodes.map((node) => `  ${mermaidId(node)}["${node}"]`),
        ...rows(flows).map(([from, to, ports]) => `  ${mermaidId(from)} -->|"${ports}"| ${mermaidId(to)}`),
      ].join('\n');
    }
    default:
      return flows.length === 0 ? 'no allowed flows' : textTable(header, rows(flows));
  }
}

export function formatCheck(result: CheckResult, label: string): string {
  if (result.ok) {
    return `${label}: the contract holds: ${result.allowed.length} allowed connections, all in the contract, none missing.`;
  }
  const lines = [`${label}: the contract does not hold.`];
  if (result.unexpected.length) {
    lines.push(`\n${result.unexpected.length} allowed but not in the contract:`);
    lines.push(...result.unexpected.map((flow) => `  + ${flowKey(flow)}`));
  }
  if (result.missing.length) {
    lines.push(`\n${result.missing.length} in the contract but denied:`);
    lines.push(...result.missing.map((flow) => `  - ${flowKey(flow)}`));
  }
  if (result.unresolved.length) {
    lines.push(`\n${result.unresolved.length} contract entries match nothing in the manifests:`);
    lines.push(...result.unresolved.map((text) => `  ? ${text}`));
  }
  lines.push(
    `\nRun \`netpol explain --from <source> --to <destination> --port <port>\` for the reason of any of them.`,
  );
  return lines.join('\n');
}

function side(name: 'egress' | 'ingress', verdict: SideVerdict, endpoint: string): string[] {
  const at = name === 'egress' ? `at the source ${endpoint}` : `at the destination ${endpoint}`;
  if (!verdict.isolated) {
    return [`${name} ${at}: allowed (no policy selects it for ${name}, so it is not isolated)`];
  }
  const selected = `selected for ${name} by ${verdict.selectedBy.join(', ')}`;
  if (verdict.allowed && verdict.admittedBy) {
    const rule = verdict.admittedBy;
    return [
      `${name} ${at}: allowed (${selected}; admitted by ${rule.policy} ${rule.direction} rule ${rule.ruleIndex})`,
    ];
  }
  return [
    `${name} ${at}: DENIED (${selected}; no rule admits it)`,
    ...verdict.reasons.map((reason) => `    - ${reason}`),
  ];
}

export function formatExplanation(verdict: Verdict, notes: string[] = []): string {
  const { from, to, port, protocol } = verdict.connection;
  return [
    `${from.id} -> ${to.id} ${port}/${protocol}: ${verdict.allowed ? 'ALLOWED' : 'DENIED'}`,
    ...side('egress', verdict.egress, from.id),
    ...side('ingress', verdict.ingress, to.id),
    ...notes.map((note) => `note: ${note}`),
  ].join('\n');
}
