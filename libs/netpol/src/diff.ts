import { formatRange } from './cidr';
import { ConnectionSet } from './connections';
import { compareEndpoints } from './analysis';
import type { Analysis, EndpointPair } from './engine';
import { rangeLabel } from './report';
import type { AddressRange, Endpoint, PodEndpoint, Protocol } from './types';

export type DiffFormat = 'text' | 'markdown' | 'json';
export const DIFF_FORMATS: readonly DiffFormat[] = ['text', 'markdown', 'json'];

export type DiffChange = 'added' | 'removed' | 'changed';

/** One pair whose connections differ between the two analyses. */
export interface DiffEntry {
  /** A pod id, or a range as reports show it: `10.0.0.0-10.0.0.255 (public-subnet-a)`. */
  from: string;
  to: string;
  /** `added`: nothing before; `removed`: nothing after; `changed`: something on both sides. */
  change: DiffChange;
  before: ConnectionSet;
  after: ConnectionSet;
  /** `after` less `before`. */
  added: ConnectionSet;
  /** `before` less `after`. */
  removed: ConnectionSet;
}

export interface AnalysisDiff {
  /** Pods by id first, then ranges by address; by source, then destination. */
  entries: DiffEntry[];
  counts: Record<DiffChange, number>;
  changed: boolean;
  /** Both analyses' notes, each once. */
  notes: string[];
}

const ADDRESS_SPACE_END = 2 ** 32;

interface Located {
  from: Endpoint;
  to: Endpoint;
  entry: DiffEntry;
}

function difference(
  from: string,
  to: string,
  before: ConnectionSet,
  after: ConnectionSet,
): DiffEntry | undefined {
  if (before.equals(after)) return undefined;
  return {
    from,
    to,
    change: before.isEmpty() ? 'added' : after.isEmpty() ? 'removed' : 'changed',
    before,
    after,
    added: after.subtract(before),
    removed: before.subtract(after),
  };
}

/** The first address of every range of either side: the ranges both sides treat alike throughout. */
function commonBreaks(before: Analysis, after: Analysis): number[] {
  const points = new Set<number>([0]);
  for (const range of [...before.ranges, ...after.ranges]) points.add(range.first);
  return [...points].sort((a, b) => a - b);
}

function unionNetworks(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

interface Run {
  first: number;
  last: number;
  networks: string[];
  networksKey: string;
  before: ConnectionSet;
  after: ConnectionSet;
}

/**
 * The connections added, removed and changed from `before` to `after`, exactly: every protocol and
 * port, every pod (matched by id; a pod on one side only has nothing on the other) and every
 * outside address, for every pair with a pod end in a namespace of `scope` (all without it).
 *
 * The two sides split the address space at different boundaries, so ranges are compared on the
 * pieces both sides' boundaries cut it into, then adjacent pieces with the same connections on
 * both sides (and the same named networks, so that labels stay true, as in the reports) are joined.
 */
export function diffAnalyses(before: Analysis, after: Analysis, scope?: readonly string[]): AnalysisDiff {
  const scoped = scope ? new Set(scope) : undefined;
  const inScope = scoped ? (namespace: string) => scoped.has(namespace) : undefined;
  const located: Located[] = [];

  // Millions of pod pairs are common: they are matched through arrays indexed by pod, as a map
  // keyed by pair would cost more than both analyses.
  const podIndex = new Map<string, number>();
  for (const pod of [...before.cluster.pods, ...after.cluster.pods])
    if (!podIndex.has(pod.id)) podIndex.set(pod.id, podIndex.size);
  const index = (endpoint: Endpoint) => podIndex.get(endpoint.id) ?? 0;
  const bySource = (analysis: Analysis) => {
    const grouped: EndpointPair[][] = Array.from({ length: podIndex.size }, () => []);
    for (const pair of analysis.pairs(inScope)) {
      if (pair.from.kind === 'pod' && pair.to.kind === 'pod') grouped[index(pair.from)]?.push(pair);
    }
    return grouped;
  };
  const beforeBySource = bySource(before);
  const afterBySource = bySource(after);
  const pending: (EndpointPair | undefined)[] = new Array<EndpointPair | undefined>(podIndex.size);
  const compare = (pair: EndpointPair, was: ConnectionSet, is: ConnectionSet) => {
    const entry = difference(pair.from.id, pair.to.id, was, is);
    if (entry) located.push({ from: pair.from, to: pair.to, entry });
  };
  for (let source = 0; source < podIndex.size; source++) {
    const earlier = beforeBySource[source] ?? [];
    for (const pair of earlier) pending[index(pair.to)] = pair;
    for (const pair of afterBySource[source] ?? []) {
      const destination = index(pair.to);
      compare(pair, pending[destination]?.connections ?? ConnectionSet.NONE, pair.connections);
      pending[destination] = undefined;
    }
    // Left pending: connections before, none after.
    for (const pair of earlier) {
      const destination = index(pair.to);
      if (pending[destination] === pair) compare(pair, pair.connections, ConnectionSet.NONE);
      pending[destination] = undefined;
    }
  }

  const beforeIds = new Set(before.cluster.pods.map((pod) => pod.id));
  const afterIds = new Set(after.cluster.pods.map((pod) => pod.id));
  const pods = new Map<string, PodEndpoint>();
  for (const pod of [...before.cluster.pods, ...after.cluster.pods]) {
    if (!inScope || inScope(pod.namespace)) pods.set(pod.id, pod);
  }
  const breaks = commonBreaks(before, after);
  const pieces = breaks.map((first, index) => {
    const beforeRange = before.rangeOf(first);
    const afterRange = after.rangeOf(first);
    const networks = unionNetworks(beforeRange.networks, afterRange.networks);
    return {
      first,
      last: (breaks[index + 1] ?? ADDRESS_SPACE_END) - 1,
      beforeRange,
      afterRange,
      networks,
      networksKey: networks.join('\u0000'),
    };
  });
  for (const pod of pods.values()) {
    for (const rangeIsSource of [false, true]) {
      const towards = (analysis: Analysis, present: Set<string>, range: AddressRange) =>
        !present.has(pod.id)
          ? ConnectionSet.NONE
          : rangeIsSource
            ? analysis.between(range, pod)
            : analysis.between(pod, range);
      const flush = (run: Run | undefined) => {
        if (!run) return;
        const range: AddressRange = {
          kind: 'range',
          id: formatRange(run.first, run.last),
          first: run.first,
          last: run.last,
          networks: run.networks,
        };
        const [from, to] = rangeIsSource ? [range, pod] : [pod, range];
        const label = (endpoint: Endpoint) =>
          endpoint.kind === 'range' ? rangeLabel(endpoint) : endpoint.id;
        const entry = difference(label(from), label(to), run.before, run.after);
        if (entry) located.push({ from, to, entry });
      };
      let run: Run | undefined;
      for (const piece of pieces) {
        const earlier = towards(before, beforeIds, piece.beforeRange);
        const later = towards(after, afterIds, piece.afterRange);
        if (
          run &&
          run.before.equals(earlier) &&
          run.after.equals(later) &&
          run.networksKey === piece.networksKey
        ) {
          run.last = piece.last;
          continue;
        }
        flush(run);
        run = {
          first: piece.first,
          last: piece.last,
          networks: piece.networks,
          networksKey: piece.networksKey,
          before: earlier,
          after: later,
        };
      }
      flush(run);
    }
  }

  located.sort((a, b) => compareEndpoints(a.from, b.from) || compareEndpoints(a.to, b.to));
  const entries = located.map(({ entry }) => entry);
  const counts: Record<DiffChange, number> = { added: 0, removed: 0, changed: 0 };
  for (const entry of entries) counts[entry.change]++;
  return {
    entries,
    counts,
    changed: entries.length > 0,
    notes: [...new Set([...before.notes, ...after.notes])],
  };
}

/** `added TCP 9090; removed TCP 8080`: what a changed entry gained and lost. */
function changeDetail(entry: DiffEntry): string {
  return [
    ...(entry.added.isEmpty() ? [] : [`added ${entry.added.toString()}`]),
    ...(entry.removed.isEmpty() ? [] : [`removed ${entry.removed.toString()}`]),
  ].join('; ');
}

const countsText = ({ counts }: AnalysisDiff) =>
  `${counts.added} added, ${counts.removed} removed, ${counts.changed} changed`;

function textLine(entry: DiffEntry): string {
  const pair = `${entry.from} -> ${entry.to}`;
  switch (entry.change) {
    case 'added':
      return `+ ${pair}: ${entry.after.toString()}`;
    case 'removed':
      return `- ${pair}: ${entry.before.toString()}`;
    default:
      return `~ ${pair}: ${entry.before.toString()} -> ${entry.after.toString()} (${changeDetail(entry)})`;
  }
}

/** A code span that holds any text: a fence longer than the longest run of backticks in it. */
function codeSpan(text: string): string {
  const flat = text.replace(/\r?\n/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  // A space on each side keeps a backtick at either end out of the fence; CommonMark strips it.
  const padded = /^`|`$/.test(flat) || /^ .* $/.test(flat) ? ` ${flat} ` : flat;
  return `${fence}${padded}${fence}`;
}

/** Markdown inline text, literally. */
function markdownText(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/[\\`*_[\]<>|#~!]/g, (character) => `\\${character}`);
}

/** A table cell: a pipe would end the cell, even inside a code span, unless escaped. */
const cell = (markdown: string) => markdown.replace(/\|/g, '\\|');

function ports(connections: ConnectionSet): Partial<Record<Protocol, [number, number][]>> {
  return Object.fromEntries(
    connections.protocols().map((protocol) => [protocol, connections.intervals(protocol)]),
  );
}

export function formatDiff(
  diff: AnalysisDiff,
  format: DiffFormat,
  labels: { before: string; after: string },
): string {
  switch (format) {
    case 'json':
      return JSON.stringify(
        {
          before: labels.before,
          after: labels.after,
          changed: diff.changed,
          counts: diff.counts,
          entries: diff.entries.map((entry) => ({
            change: entry.change,
            from: entry.from,
            to: entry.to,
            before: entry.before.toString(),
            after: entry.after.toString(),
            added: entry.added.toString(),
            removed: entry.removed.toString(),
            ports: {
              before: ports(entry.before),
              after: ports(entry.after),
              added: ports(entry.added),
              removed: ports(entry.removed),
            },
          })),
          notes: diff.notes,
        },
        null,
        2,
      );
    case 'markdown': {
      const sides = `${codeSpan(labels.before)} → ${codeSpan(labels.after)}`;
      const notes = diff.notes.map((note) => `\nNote: ${markdownText(note)}`);
      if (!diff.changed) return [`No change in connections (${sides}).`, ...notes].join('\n');
      const header = ['change', 'from', 'to', 'before', 'after'];
      return [
        `Connections: ${countsText(diff)} (${sides}).`,
        '',
        `| ${header.join(' | ')} |`,
        `| ${header.map(() => '---').join(' | ')} |`,
        ...diff.entries.map((entry) => {
          const change = entry.change === 'changed' ? `changed (${changeDetail(entry)})` : entry.change;
          return `| ${[change, codeSpan(entry.from), codeSpan(entry.to), entry.before.toString(), entry.after.toString()].map(cell).join(' | ')} |`;
        }),
        ...notes,
      ].join('\n');
    }
    default: {
      const sides = `(${labels.before} -> ${labels.after})`;
      const header = diff.changed
        ? `connections: ${countsText(diff)} ${sides}`
        : `no change in connections ${sides}`;
      return [header, ...diff.entries.map(textLine), ...diff.notes.map((note) => `note: ${note}`)].join('\n');
    }
  }
}
