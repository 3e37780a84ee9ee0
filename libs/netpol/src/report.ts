import type { CheckResult } from './analysis';
import { formatRange } from './cidr';
import { pairKey } from './contract';
import type { Analysis, EndpointPair } from './engine';
import type { SideVerdict, Verdict } from './explain';
import type { AddressRange, Endpoint } from './types';

export type MatrixFormat = 'text' | 'markdown' | 'json' | 'mermaid' | 'connlist';
export const MATRIX_FORMATS: readonly MatrixFormat[] = ['text', 'markdown', 'json', 'mermaid', 'connlist'];

/** A pair as reports show it: adjacent ranges with the same connections and networks merged. */
export interface DisplayPair {
  from: string;
  to: string;
  connections: string;
}

/** A range as reports show it: `10.0.0.0-10.0.0.255 (public-subnet-a)`. */
export function rangeLabel(range: AddressRange): string {
  return range.networks.length === 0 ? range.id : `${range.id} (${range.networks.join(', ')})`;
}

/**
 * The pairs, in their order, with each range end joined to the range of the same pod end and
 * connection set just before it, when the two follow each other and `joins` allows it.
 */
function joinRanges(
  pairs: EndpointPair[],
  joins: (earlier: AddressRange, next: AddressRange, rangeIsSource: boolean) => boolean,
): EndpointPair[] {
  const joined: EndpointPair[] = [];
  const open = new Map<string, EndpointPair>();
  for (const pair of pairs) {
    const rangeIsSource = pair.from.kind === 'range';
    const range = rangeIsSource ? pair.from : pair.to;
    if (range.kind !== 'range') {
      joined.push(pair);
      continue;
    }
    const pod = rangeIsSource ? pair.to : pair.from;
    const key = `${rangeIsSource ? '<' : '>'}${pod.id}\u0000${pair.connections.toString()}`;
    const earlier = open.get(key);
    const earlierRange = earlier && (rangeIsSource ? earlier.from : earlier.to);
    if (
      earlier &&
      earlierRange?.kind === 'range' &&
      earlierRange.last + 1 === range.first &&
      joins(earlierRange, range, rangeIsSource)
    ) {
      const longer: AddressRange = {
        ...earlierRange,
        last: range.last,
        id: formatRange(earlierRange.first, range.last),
      };
      if (rangeIsSource) earlier.from = longer;
      else earlier.to = longer;
      continue;
    }
    const copy = { ...pair };
    joined.push(copy);
    open.set(key, copy);
  }
  return joined;
}

const sameNetworks = (a: AddressRange, b: AddressRange) => a.networks.join(',') === b.networks.join(',');

/** Pairs as reports show them: adjacent ranges with the same connections and networks merged. */
export function displayPairs(pairs: EndpointPair[]): DisplayPair[] {
  return joinRanges(pairs, sameNetworks).map(({ from, to, connections }) => ({
    from: from.kind === 'range' ? rangeLabel(from) : from.id,
    to: to.kind === 'range' ? rangeLabel(to) : to.id,
    connections: connections.toString(),
  }));
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

/** `namespace/name[Kind]` and `a.b.c.d-e.f.g.h[External]`: np-guard/netpol-analyzer's names. */
function connlistName(endpoint: Endpoint): string {
  return endpoint.kind === 'range'
    ? `${endpoint.id}[External]`
    : `${endpoint.namespace}/${endpoint.name}[${endpoint.workloadKind}]`;
}

/**
 * np-guard/netpol-analyzer's connectivity list: one line per pair of workloads, every range on
 * its own, sorted; the endpoints of one workload (pods of one owner with different labels) merge.
 */
export function formatConnlist(pairs: EndpointPair[], splits?: Analysis['splits']): string {
  const lines = new Map<string, { from: string; to: string; connections: EndpointPair['connections'] }>();
  for (const { from, to, connections } of splits ? mergeRanges(pairs, splits) : pairs) {
    const source = connlistName(from);
    const destination = connlistName(to);
    if (source === destination) continue;
    const key = `${source} => ${destination}`;
    const earlier = lines.get(key);
    lines.set(key, {
      from: source,
      to: destination,
      connections: earlier ? earlier.connections.union(connections) : connections,
    });
  }
  return [...lines.entries()]
    .map(([key, line]) => `${key} : ${line.connections.toString()}`)
    .sort()
    .join('\n');
}

/**
 * Adjacent ranges merged wherever the policies of that direction do not split them: the analyzer
 * splits destinations at egress ipBlocks and sources at ingress ones.
 */
function mergeRanges(pairs: EndpointPair[], splits: Analysis['splits']): EndpointPair[] {
  const sorted = [...pairs].sort((a, b) => rangeStart(a) - rangeStart(b));
  return joinRanges(
    sorted,
    (_earlier, next, rangeIsSource) => !(rangeIsSource ? splits.ingress : splits.egress).has(next.first),
  );
}

const rangeStart = (pair: EndpointPair) =>
  pair.from.kind === 'range' ? pair.from.first : pair.to.kind === 'range' ? pair.to.first : -1;

export function formatMatrix(
  pairs: EndpointPair[],
  format: MatrixFormat,
  notes: string[] = [],
  splits?: Analysis['splits'],
): string {
  const header = ['from', 'to', 'connections'];
  switch (format) {
    case 'connlist':
      return formatConnlist(pairs, splits);
    case 'json':
      return JSON.stringify(
        {
          notes,
          connections: pairs.map(({ from, to, connections }) => ({
            from: from.id,
            to: to.id,
            ...(from.kind === 'range' ? { fromNetworks: from.networks } : {}),
            ...(to.kind === 'range' ? { toNetworks: to.networks } : {}),
            connections: connections.toString(),
            ports: Object.fromEntries(
              connections.protocols().map((protocol) => [protocol, connections.intervals(protocol)]),
            ),
          })),
        },
        null,
        2,
      );
    case 'markdown':
      return [
        `| ${header.join(' | ')} |`,
        `| ${header.map(() => '---').join(' | ')} |`,
        ...displayPairs(pairs).map((row) => `| \`${row.from}\` | \`${row.to}\` | ${row.connections} |`),
        ...notes.map((note) => `\nNote: ${note}`),
      ].join('\n');
    case 'mermaid': {
      const rows = displayPairs(pairs);
      const nodes = [...new Set(rows.flatMap((row) => [row.from, row.to]))].sort();
      return [
        'graph LR',
        ...nodes.map((node) => `  ${mermaidId(node)}["${node}"]`),
        ...rows.map((row) => `  ${mermaidId(row.from)} -->|"${row.connections}"| ${mermaidId(row.to)}`),
      ].join('\n');
    }
    default: {
      const rows = displayPairs(pairs);
      const table =
        rows.length === 0
          ? 'no allowed connections'
          : textTable(
              header,
              rows.map((row) => [row.from, row.to, row.connections]),
            );
      return [table, ...notes.map((note) => `note: ${note}`)].join('\n');
    }
  }
}

const pairLine = (sign: string) => (row: DisplayPair) =>
  `  ${sign} ${row.from} -> ${row.to}: ${row.connections}`;

/** What the security group layer adds to a check (see checkLayers). */
export interface NetworkCheckDetails {
  stack: string;
  mode: 'standard' | 'strict' | 'off';
  reasons: Map<string, string[]>;
  findings: { kind: 'refused' | 'over-broad'; message: string }[];
}

export function formatCheck(result: CheckResult & { network?: NetworkCheckDetails }, label: string): string {
  const notes = result.notes.map((note) => `note: ${note}`);
  const network = result.network;
  const layers = network
    ? ` on both layers (NetworkPolicies, and the security groups of ${network.stack} with pod security groups ${network.mode === 'off' ? 'off' : `in ${network.mode} mode`})`
    : '';
  if (result.ok) {
    return [
      `${label}: the contract holds${layers}: ${result.allowed.length} connected pairs, every connection of each in the contract, none missing.`,
      ...notes,
    ].join('\n');
  }
  const lines = [
    network
      ? `${label}: the contract does not hold, checked${layers}: each flow below says which layer decided.`
      : `${label}: the contract does not hold.`,
  ];
  // Each row's reasons, when the layers were checked: the pair's own, rows being per pair here.
  const withReasons = (pairs: EndpointPair[], sign: string) => {
    for (const pair of pairs) {
      const [row] = displayPairs([pair]);
      if (row) lines.push(pairLine(sign)(row));
      for (const reason of network?.reasons.get(pairKey(pair.from, pair.to)) ?? [])
        lines.push(`      ${reason}`);
    }
  };
  if (result.unexpected.length) {
    const rows = displayPairs(result.unexpected);
    lines.push(`\n${rows.length} allowed beyond the contract:`);
    if (network) withReasons(result.unexpected, '+');
    else lines.push(...rows.map(pairLine('+')));
  }
  if (result.missing.length) {
    const rows = displayPairs(result.missing);
    lines.push(`\n${rows.length} in the contract but denied:`);
    if (network) withReasons(result.missing, '-');
    else lines.push(...rows.map(pairLine('-')));
  }
  const refused = network?.findings.filter((finding) => finding.kind === 'refused') ?? [];
  if (refused.length) {
    lines.push(`\n${refused.length} paths the platform needs are refused:`);
    lines.push(...refused.map((finding) => `  - ${finding.message}`));
  }
  const broad = network?.findings.filter((finding) => finding.kind === 'over-broad') ?? [];
  if (broad.length) {
    lines.push(`\n${broad.length} security group rules admit more than any flow needs:`);
    lines.push(...broad.map((finding) => `  + ${finding.message}`));
  }
  if (result.unresolved.length) {
    lines.push(`\n${result.unresolved.length} contract entries match nothing in the manifests:`);
    lines.push(...result.unresolved.map((text) => `  ? ${text}`));
  }
  lines.push(
    `\nRun \`netpol explain --from <source> --to <destination> --port <port>\` for the reason of any of them.`,
    ...notes,
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
      ...(verdict.admittedThrough ? [`    - ${verdict.admittedThrough}`] : []),
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
