import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseIpv4 } from '../src/cidr';
import { ConnectionSet } from '../src/connections';
import { diffAnalyses, DIFF_FORMATS, formatDiff, type AnalysisDiff, type DiffEntry } from '../src/diff';
import { analyze, type Analysis } from '../src/engine';
import { buildCluster, loadClusterModel, loadManifests } from '../src/manifests';
import type { Cluster, ContainerPort, Labels, NetworkPolicy, PodEndpoint, PolicyRule } from '../src/types';

function pod(id: string, labels: Labels = {}, ports: ContainerPort[] = []): PodEndpoint {
  const [namespace = '', name = ''] = id.split('/');
  return { kind: 'pod', id, namespace, name, workloadKind: 'Deployment', labels, ports };
}

function policy(
  id: string,
  spec: Partial<Pick<NetworkPolicy, 'podSelector' | 'policyTypes' | 'ingress' | 'egress'>>,
): NetworkPolicy {
  const [namespace = '', name = ''] = id.split('/');
  return {
    namespace,
    name,
    podSelector: spec.podSelector ?? {},
    policyTypes: spec.policyTypes ?? ['Ingress'],
    ingress: spec.ingress ?? [],
    egress: spec.egress ?? [],
  };
}

const cluster = (parts: Partial<Cluster>): Cluster => ({
  namespaces: [],
  pods: [],
  externals: [],
  policies: [],
  ...parts,
});

const app = (name: string): Labels => ({ app: name });
const a = pod('shop/a', app('a'));
const b = pod('shop/b', app('b'), [{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
const c = pod('shop/c', app('c'));
const x = pod('other/x', app('x'));

const egressOf = (id: string, name: string, egress: PolicyRule[]) =>
  policy(id, { podSelector: { matchLabels: app(name) }, policyTypes: ['Egress'], egress });
const ingressOf = (id: string, name: string, ingress: PolicyRule[]) =>
  policy(id, { podSelector: { matchLabels: app(name) }, policyTypes: ['Ingress'], ingress });
const denyAll = (namespace: string) =>
  policy(`${namespace}/deny-all`, { policyTypes: ['Ingress', 'Egress'] });
const fromPods = (name: string, ports: PolicyRule['ports']): PolicyRule => ({
  peers: [{ podSelector: { matchLabels: app(name) } }],
  ...(ports ? { ports } : {}),
});
const tcpPorts = (...ports: number[]) => ports.map((port) => ({ protocol: 'TCP' as const, port }));

const tcp = (from: number, to = from) => ConnectionSet.ports('TCP', from, to);
const ALL = ConnectionSet.ALL.toString();
const diff = (before: Partial<Cluster>, after: Partial<Cluster>, scope?: string[]) =>
  diffAnalyses(analyze(cluster(before)), analyze(cluster(after)), scope);
/** Entries as `change from -> to: +added -removed`, for short exact assertions. */
const lines = (result: AnalysisDiff) =>
  result.entries.map(
    (entry) =>
      `${entry.change} ${entry.from} -> ${entry.to}: +${entry.added.toString()} -${entry.removed.toString()}`,
  );

describe('diffAnalyses', () => {
  it('finds no change between identical inputs', () => {
    const parts = {
      pods: [a, b, x],
      policies: [
        ingressOf('shop/b-in', 'b', [fromPods('a', tcpPorts(8080))]),
        egressOf('shop/a-out', 'a', [
          { peers: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] },
        ]),
      ],
    };
    expect(diff(parts, parts)).toEqual({
      entries: [],
      counts: { added: 0, removed: 0, changed: 0 },
      changed: false,
      notes: analyze(cluster(parts)).notes,
    });
  });

  it('reports a port added to a policy as a change with exactly the added ports', () => {
    const result = diff(
      { pods: [a, b], policies: [ingressOf('shop/b-in', 'b', [fromPods('a', tcpPorts(8080))])] },
      { pods: [a, b], policies: [ingressOf('shop/b-in', 'b', [fromPods('a', tcpPorts(8080, 9090))])] },
    );
    expect(result.changed).toBe(true);
    expect(result.counts).toEqual({ added: 0, removed: 0, changed: 1 });
    expect(result.entries).toHaveLength(1);
    const [entry] = result.entries;
    expect([entry?.change, entry?.from, entry?.to]).toEqual(['changed', 'shop/a', 'shop/b']);
    expect(entry?.before.equals(tcp(8080))).toBe(true);
    expect(entry?.after.equals(tcp(8080).union(tcp(9090)))).toBe(true);
    expect(entry?.added.equals(tcp(9090))).toBe(true);
    expect(entry?.removed.isEmpty()).toBe(true);
  });

  it('reports a removed policy as added connections, to and from every address, on the common ranges', () => {
    // Before: everything denied but a's egress to 10.0.0.0/8 on 443; after: no policy at all.
    const result = diff(
      {
        pods: [a, b],
        policies: [
          denyAll('shop'),
          egressOf('shop/a-out', 'a', [
            { peers: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: tcpPorts(443) },
          ]),
        ],
      },
      { pods: [a, b] },
    );
    expect(lines(result)).toEqual([
      `added shop/a -> shop/b: +${ALL} -No Connections`,
      `added shop/a -> 0.0.0.0-9.255.255.255: +${ALL} -No Connections`,
      `changed shop/a -> 10.0.0.0-10.255.255.255: +${ConnectionSet.ALL.subtract(tcp(443)).toString()} -No Connections`,
      `added shop/a -> 11.0.0.0-255.255.255.255: +${ALL} -No Connections`,
      `added shop/b -> shop/a: +${ALL} -No Connections`,
      // Denied everywhere before, allowed everywhere after: one range, not the three before's.
      `added shop/b -> 0.0.0.0-255.255.255.255: +${ALL} -No Connections`,
      `added 0.0.0.0-255.255.255.255 -> shop/a: +${ALL} -No Connections`,
      `added 0.0.0.0-255.255.255.255 -> shop/b: +${ALL} -No Connections`,
    ]);
    expect(result.entries[2]?.before.equals(tcp(443))).toBe(true);
    expect(result.entries[2]?.after.isAll()).toBe(true);
    expect(result.counts).toEqual({ added: 7, removed: 0, changed: 1 });
  });

  it('reports every connection of a pod present on one side only', () => {
    const isolated = policy('shop/b-in', { podSelector: { matchLabels: app('b') } });
    const added = diff({ pods: [a, b], policies: [isolated] }, { pods: [a, b, c], policies: [isolated] });
    expect(lines(added)).toEqual([
      `added shop/a -> shop/c: +${ALL} -No Connections`,
      `added shop/b -> shop/c: +${ALL} -No Connections`,
      `added shop/c -> shop/a: +${ALL} -No Connections`,
      `added shop/c -> 0.0.0.0-255.255.255.255: +${ALL} -No Connections`,
      `added 0.0.0.0-255.255.255.255 -> shop/c: +${ALL} -No Connections`,
    ]);
    const removed = diff({ pods: [a, b, c], policies: [isolated] }, { pods: [a, b], policies: [isolated] });
    expect(removed.entries.map((entry) => [entry.change, entry.from, entry.to])).toEqual([
      ['removed', 'shop/a', 'shop/c'],
      ['removed', 'shop/b', 'shop/c'],
      ['removed', 'shop/c', 'shop/a'],
      ['removed', 'shop/c', '0.0.0.0-255.255.255.255'],
      ['removed', '0.0.0.0-255.255.255.255', 'shop/c'],
    ]);
    expect(removed.entries.every((entry) => entry.after.isEmpty() && entry.removed.isAll())).toBe(true);
  });

  it('compares ranges the two sides split differently exactly, in one joined range', () => {
    // x's ingress splits both sides' address space at 10.128.0.0, and after's egress splits it at
    // 10.1.0.0 too: the addresses a can no longer reach are still one range.
    const fromUpperHalf = ingressOf('other/x-in', 'x', [{ peers: [{ ipBlock: { cidr: '10.128.0.0/9' } }] }]);
    const to = (cidr: string) => egressOf('shop/a-out', 'a', [{ peers: [{ ipBlock: { cidr } }] }]);
    const result = diff(
      { pods: [a, x], policies: [to('10.0.0.0/8'), fromUpperHalf] },
      { pods: [a, x], policies: [to('10.0.0.0/16'), fromUpperHalf] },
    );
    expect(lines(result)).toEqual([`removed shop/a -> 10.1.0.0-10.255.255.255: +No Connections -${ALL}`]);
    expect(result.entries[0]?.before.isAll()).toBe(true);
  });

  it('keeps to the namespaces in scope: pairs with a pod end there, ranges of its pods only', () => {
    const before = { pods: [a, x] };
    const after = { pods: [a, x], policies: [denyAll('shop'), denyAll('other')] };
    expect(lines(diff(before, after, ['shop']))).toEqual([
      `removed other/x -> shop/a: +No Connections -${ALL}`,
      `removed shop/a -> other/x: +No Connections -${ALL}`,
      `removed shop/a -> 0.0.0.0-255.255.255.255: +No Connections -${ALL}`,
      `removed 0.0.0.0-255.255.255.255 -> shop/a: +No Connections -${ALL}`,
    ]);
    expect(diff(before, after, ['other']).entries.map((entry) => `${entry.from} -> ${entry.to}`)).toEqual([
      'other/x -> shop/a',
      'other/x -> 0.0.0.0-255.255.255.255',
      'shop/a -> other/x',
      '0.0.0.0-255.255.255.255 -> other/x',
    ]);
    expect(diff(before, after, ['nowhere']).changed).toBe(false);
    expect(diff(before, after).entries).toHaveLength(6);
  });

  it('carries both sides’ notes, each once', () => {
    const ignoring = analyze(cluster({ pods: [a] }), { ipBlocksMatchPods: false });
    const matching = analyze(cluster({ pods: [a] }));
    expect(diffAnalyses(ignoring, ignoring).notes).toEqual([
      'ipBlocks were not matched against pod addresses',
    ]);
    expect(matching.notes).toHaveLength(1);
    expect(diffAnalyses(ignoring, matching).notes).toEqual([...ignoring.notes, ...matching.notes]);
  });
});

describe('diffAnalyses on manifests with a cluster model', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'netpol-diff-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const MODEL = `
externals:
  - { name: database-subnet-a, cidr: 10.0.100.0/24 }
  - { name: internet, cidr: 0.0.0.0/0, except: [10.0.0.0/8] }
`;
  const manifests = (egress: string[]) => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: items }
spec:
  template:
    metadata: { labels: { app: items } }
    spec: { containers: [{ name: items, ports: [{ name: http, containerPort: 8080 }] }] }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: items }
spec:
  podSelector: { matchLabels: { app: items } }
  policyTypes: [Egress]
  egress:
${egress.map((rule) => `    - ${rule}`).join('\n')}
`;
  const load = (name: string, egress: string[]): Analysis =>
    analyze(
      buildCluster(
        loadManifests([write(name, manifests(egress))], { defaultNamespace: 'platform' }),
        loadClusterModel(write('model.yaml', MODEL)),
      ),
    );

  it('labels ranges with their named networks and keeps each network apart, as the reports do', () => {
    const before = load('before.yaml', [
      '{ to: [{ ipBlock: { cidr: 10.0.0.0/16 } }], ports: [{ port: 27017 }] }',
      '{ to: [{ ipBlock: { cidr: 0.0.0.0/0, except: [10.0.0.0/8] } }], ports: [{ port: 443 }] }',
    ]);
    const after = load('after.yaml', [
      '{ to: [{ ipBlock: { cidr: 10.0.100.0/24 } }], ports: [{ port: 27017 }] }',
    ]);
    const result = diffAnalyses(before, after);
    expect(lines(result)).toEqual([
      'removed platform/items -> 0.0.0.0-9.255.255.255 (internet): +No Connections -TCP 443',
      'removed platform/items -> 10.0.0.0-10.0.99.255: +No Connections -TCP 27017',
      'removed platform/items -> 10.0.101.0-10.0.255.255: +No Connections -TCP 27017',
      'removed platform/items -> 11.0.0.0-255.255.255.255 (internet): +No Connections -TCP 443',
    ]);
    expect(result.notes).toHaveLength(1);
    expect(formatDiff(result, 'text', { before: 'before.yaml', after: 'after.yaml' })).toBe(
      [
        'connections: 0 added, 4 removed, 0 changed (before.yaml -> after.yaml)',
        '- platform/items -> 0.0.0.0-9.255.255.255 (internet): TCP 443',
        '- platform/items -> 10.0.0.0-10.0.99.255: TCP 27017',
        '- platform/items -> 10.0.101.0-10.0.255.255: TCP 27017',
        '- platform/items -> 11.0.0.0-255.255.255.255 (internet): TCP 443',
        `note: ${result.notes[0] ?? ''}`,
      ].join('\n'),
    );
  });

  it('labels a changed database subnet with its name', () => {
    const before = load('before.yaml', [
      '{ to: [{ ipBlock: { cidr: 10.0.100.0/24 } }], ports: [{ port: 27017 }] }',
    ]);
    const after = load('after.yaml', [
      '{ to: [{ ipBlock: { cidr: 10.0.100.0/24 } }], ports: [{ port: 27018 }] }',
    ]);
    expect(lines(diffAnalyses(before, after))).toEqual([
      'changed platform/items -> 10.0.100.0-10.0.100.255 (database-subnet-a): +TCP 27018 -TCP 27017',
    ]);
  });
});

/** A small deterministic generator, so that the check below is reproducible. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** The addresses and the pod of an entry with a range end (`a.b.c.d-e.f.g.h`, maybe with networks). */
function rangeEntry(entry: DiffEntry) {
  const rangeIsSource = /^\d/.test(entry.from);
  const [first = '', last = ''] = (rangeIsSource ? entry.from : entry.to).split(' ')[0]?.split('-') ?? [];
  return {
    first: parseIpv4(first) ?? -1,
    last: parseIpv4(last) ?? -1,
    pod: rangeIsSource ? entry.to : entry.from,
    rangeIsSource,
  };
}

describe('diffAnalyses is exact', () => {
  const blocks = [
    { cidr: '10.0.0.0/8' },
    { cidr: '10.0.0.0/16' },
    { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] },
    { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12'] },
    { cidr: '10.0.128.0/17' },
    { cidr: '10.0.0.7/32' },
    { cidr: '172.16.0.0/12', except: ['172.16.5.0/24'] },
    { cidr: '0.0.0.0/1' },
  ];
  const pods = [a, b, c, x];
  const randomCluster = (next: () => number): Cluster => {
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
    const rule = (): PolicyRule => ({
      peers: [
        next() < 0.75 ? { ipBlock: pick(blocks) } : { podSelector: { matchLabels: pick(pods).labels } },
      ],
      ...(next() < 0.5
        ? { ports: [{ protocol: pick(['TCP', 'UDP'] as const), port: 80 + Math.floor(next() * 4) }] }
        : {}),
    });
    const policies = pods
      .filter(() => next() < 0.7)
      .map((target) =>
        policy(`${target.namespace}/${target.name}`, {
          podSelector: { matchLabels: target.labels },
          policyTypes: ['Ingress', 'Egress'],
          ingress: Array.from({ length: Math.floor(next() * 3) }, rule),
          egress: Array.from({ length: Math.floor(next() * 3) }, rule),
        }),
      );
    return cluster({ pods: pods.filter(() => next() < 0.9), policies });
  };

  it('agrees with each side’s between() on every pod pair and every piece of the address space', () => {
    const next = random(7);
    let entries = 0;
    for (let round = 0; round < 25; round++) {
      const before = analyze(randomCluster(next));
      const after = analyze(randomCluster(next));
      const result = diffAnalyses(before, after);
      entries += result.entries.length;
      const ranged = result.entries.filter((entry) => /^\d/.test(entry.from) || /^\d/.test(entry.to));
      // Every piece of the common refinement starts at some range's first address.
      const probes = [...new Set([...before.ranges, ...after.ranges].flatMap((r) => [r.first, r.last]))];
      const present = (analysis: Analysis, id: string) => analysis.cluster.pods.some((p) => p.id === id);
      for (const endpoint of pods) {
        for (const rangeIsSource of [false, true]) {
          for (const address of probes) {
            const at = (analysis: Analysis) => {
              if (!present(analysis, endpoint.id)) return ConnectionSet.NONE;
              const range = analysis.rangeOf(address);
              return rangeIsSource ? analysis.between(range, endpoint) : analysis.between(endpoint, range);
            };
            const covering = ranged.filter((entry) => {
              const found = rangeEntry(entry);
              return (
                found.pod === endpoint.id &&
                found.rangeIsSource === rangeIsSource &&
                found.first <= address &&
                address <= found.last
              );
            });
            const [earlier, later] = [at(before), at(after)];
            const where = { pod: endpoint.id, address, rangeIsSource };
            expect({ ...where, entries: covering.length }).toEqual({
              ...where,
              entries: earlier.equals(later) ? 0 : 1,
            });
            if (covering[0]) {
              expect({
                ...where,
                before: covering[0].before.toString(),
                after: covering[0].after.toString(),
              }).toEqual({ ...where, before: earlier.toString(), after: later.toString() });
            }
          }
        }
      }
      for (const from of pods) {
        for (const to of pods) {
          const entry = result.entries.find(
            (candidate) => candidate.from === from.id && candidate.to === to.id,
          );
          const [earlier, later] = [before.between(from, to), after.between(from, to)];
          expect({
            from: from.id,
            to: to.id,
            before: entry?.before.toString(),
            after: entry?.after.toString(),
          }).toEqual({
            from: from.id,
            to: to.id,
            ...(earlier.equals(later)
              ? { before: undefined, after: undefined }
              : { before: earlier.toString(), after: later.toString() }),
          });
        }
      }
    }
    // The clusters differ enough for the check to mean something.
    expect(entries).toBeGreaterThan(100);
  });

  it('is fast on thousands of pods and dozens of ranges', () => {
    const many = (count: number, egressCidrs: string[]): Cluster =>
      cluster({
        pods: Array.from({ length: count }, (_, index) =>
          pod(`ns${index % 20}/p${index}`, app(`p${index % 50}`)),
        ),
        policies: egressCidrs.map((cidr, index) =>
          egressOf(`ns${index % 20}/out${index}`, `p${index % 50}`, [
            { peers: [{ ipBlock: { cidr } }], ports: tcpPorts(443 + (index % 3)) },
          ]),
        ),
      });
    const cidrs = Array.from({ length: 40 }, (_, index) => `10.${index}.0.0/16`);
    const started = Date.now();
    const result = diffAnalyses(analyze(many(2000, cidrs)), analyze(many(2000, cidrs.slice(5))), [
      'ns0',
      'ns1',
    ]);
    expect(result.changed).toBe(true);
    // Generous: the point is no work over the address space or over every pair of pods.
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

describe('formatDiff', () => {
  // a -> b changes (8080-8081 to 8080,9090), c -> b is removed.
  const before = {
    pods: [a, b, c],
    policies: [
      ingressOf('shop/b-in', 'b', [
        fromPods('a', tcpPorts(8080, 8081)),
        fromPods('c', [{ protocol: 'UDP', port: 53 }]),
      ]),
    ],
  };
  const after = {
    pods: [a, b, c],
    policies: [ingressOf('shop/b-in', 'b', [fromPods('a', tcpPorts(8080, 9090))])],
  };
  const result = diff(before, after);
  const unchanged = diff(before, before);
  const labels = { before: 'base.yaml', after: 'head.yaml' };

  it('lists its formats', () => {
    expect(DIFF_FORMATS).toEqual(['text', 'markdown', 'json']);
  });

  it('text: a count line, then one signed line per entry', () => {
    expect(formatDiff({ ...result, notes: [] }, 'text', labels)).toBe(
      [
        'connections: 0 added, 1 removed, 1 changed (base.yaml -> head.yaml)',
        '~ shop/a -> shop/b: TCP 8080-8081 -> TCP 8080,9090 (added TCP 9090; removed TCP 8081)',
        '- shop/c -> shop/b: UDP 53',
      ].join('\n'),
    );
    const added = diff(
      { pods: [a], policies: [denyAll('shop')] },
      { pods: [a, b], policies: [ingressOf('shop/b-in', 'b', [fromPods('a', tcpPorts(8080))])] },
    );
    expect(formatDiff(added, 'text', labels).split('\n').slice(0, 4)).toEqual([
      'connections: 5 added, 0 removed, 0 changed (base.yaml -> head.yaml)',
      '+ shop/a -> shop/b: TCP 8080',
      `+ shop/a -> 0.0.0.0-255.255.255.255: ${ALL}`,
      `+ shop/b -> shop/a: ${ALL}`,
    ]);
    expect(formatDiff({ ...unchanged, notes: ['something'] }, 'text', labels)).toBe(
      'no change in connections (base.yaml -> head.yaml)\nnote: something',
    );
  });

  it('markdown: a sentence and a table, with pipes and backticks escaped', () => {
    expect(formatDiff({ ...result, notes: [] }, 'markdown', labels)).toBe(
      [
        'Connections: 0 added, 1 removed, 1 changed (`base.yaml` → `head.yaml`).',
        '',
        '| change | from | to | before | after |',
        '| --- | --- | --- | --- | --- |',
        '| changed (added TCP 9090; removed TCP 8081) | `shop/a` | `shop/b` | TCP 8080-8081 | TCP 8080,9090 |',
        '| removed | `shop/c` | `shop/b` | UDP 53 | No Connections |',
      ].join('\n'),
    );
    expect(formatDiff({ ...unchanged, notes: [] }, 'markdown', { before: 'a|b', after: 'x`y`' })).toBe(
      'No change in connections (`a|b` → `` x`y` ``).',
    );
    const odd = {
      ...result,
      entries: result.entries.map((entry) => ({ ...entry, from: 'ns/we|rd`' })),
      notes: ['a *note* with <html> | and `code`'],
    };
    expect(formatDiff(odd, 'markdown', { before: '|', after: '`' }).split('\n')).toEqual([
      'Connections: 0 added, 1 removed, 1 changed (`|` → `` ` ``).',
      '',
      '| change | from | to | before | after |',
      '| --- | --- | --- | --- | --- |',
      '| changed (added TCP 9090; removed TCP 8081) | `` ns/we\\|rd` `` | `shop/b` | TCP 8080-8081 | TCP 8080,9090 |',
      '| removed | `` ns/we\\|rd` `` | `shop/b` | UDP 53 | No Connections |',
      '',
      'Note: a \\*note\\* with \\<html\\> \\| and \\`code\\`',
    ]);
  });

  it('json: the labels, counts, and each entry as text and as port intervals', () => {
    expect(JSON.parse(formatDiff({ ...result, notes: ['a note'] }, 'json', labels))).toEqual({
      before: 'base.yaml',
      after: 'head.yaml',
      changed: true,
      counts: { added: 0, removed: 1, changed: 1 },
      entries: [
        {
          change: 'changed',
          from: 'shop/a',
          to: 'shop/b',
          before: 'TCP 8080-8081',
          after: 'TCP 8080,9090',
          added: 'TCP 9090',
          removed: 'TCP 8081',
          ports: {
            before: { TCP: [[8080, 8081]] },
            after: {
              TCP: [
                [8080, 8080],
                [9090, 9090],
              ],
            },
            added: { TCP: [[9090, 9090]] },
            removed: { TCP: [[8081, 8081]] },
          },
        },
        {
          change: 'removed',
          from: 'shop/c',
          to: 'shop/b',
          before: 'UDP 53',
          after: 'No Connections',
          added: 'No Connections',
          removed: 'UDP 53',
          ports: { before: { UDP: [[53, 53]] }, after: {}, added: {}, removed: { UDP: [[53, 53]] } },
        },
      ],
      notes: ['a note'],
    });
    expect(JSON.parse(formatDiff({ ...unchanged, notes: [] }, 'json', labels))).toEqual({
      before: 'base.yaml',
      after: 'head.yaml',
      changed: false,
      counts: { added: 0, removed: 0, changed: 0 },
      entries: [],
      notes: [],
    });
  });
});
