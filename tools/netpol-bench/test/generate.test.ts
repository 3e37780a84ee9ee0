import { parse, parseAllDocuments } from 'yaml';
import { CASES } from '../src/cases';
import { generateCluster, type GenerateOptions } from '../src/generate';

/** The parts of the generated objects the test reads (parsed YAML, so loosely typed). */
type Labels = Record<string, string>;
interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}
interface Container {
  name: string;
  ports: ContainerPort[];
}
interface IpBlock {
  cidr: string;
  except?: string[];
}
interface Peer {
  ipBlock?: IpBlock;
}
interface Rule {
  from?: Peer[];
  to?: Peer[];
  ports?: { port?: number | string; endPort?: number; protocol?: string }[];
}
interface Spec {
  replicas?: number;
  selector?: { matchLabels: Labels };
  template?: { metadata: { labels: Labels }; spec: { containers: Container[] } };
  containers?: Container[];
  podSelector?: unknown;
  policyTypes?: string[];
  ingress?: Rule[];
  egress?: Rule[];
}
interface Doc {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Labels };
  spec: Spec;
  status?: { podIP?: string };
}
interface Contract {
  scope: string[];
  groups: Record<string, { namespace: string; labels: Labels }>;
  allow: { from: string; to: string; ports: string[] }[];
}
const SMALL: GenerateOptions = { pods: 500, namespaces: 20, policies: 100, portsPerPod: 10, seed: 7 };
const WIDE = CASES.find((c) => c.id === 'cidr');

function documents(text: string): Doc[] {
  return parseAllDocuments(text).map((document) => {
    expect(document.errors).toEqual([]);
    return document.toJS() as Doc;
  });
}

const ofKind = (docs: Doc[], kind: string) => docs.filter((doc) => doc.kind === kind);
const containersOf = (doc: Doc): Container[] =>
  (doc.kind === 'Pod' ? doc.spec.containers : doc.spec.template?.spec.containers) ?? [];
const replicasOf = (docs: Doc[]) => docs.reduce((sum, doc) => sum + (doc.spec.replicas ?? 0), 0);

describe('generateCluster', () => {
  const cluster = generateCluster(SMALL);
  const docs = documents(cluster.manifests);

  it('is deterministic: the same seed gives the same text, another seed other text', () => {
    const again = generateCluster(SMALL);
    expect(again.manifests).toBe(cluster.manifests);
    expect(again.contract).toBe(cluster.contract);
    expect(generateCluster({ ...SMALL, seed: 8 }).manifests).not.toBe(cluster.manifests);
  });

  it('has the requested numbers of pods, namespaces and policies', () => {
    const namespaces = ofKind(docs, 'Namespace');
    expect(namespaces).toHaveLength(20);
    expect(namespaces.map((doc) => doc.metadata.name)).toEqual(cluster.namespaces);
    expect(ofKind(docs, 'NetworkPolicy')).toHaveLength(100);
    const deployments = ofKind(docs, 'Deployment');
    const pods = ofKind(docs, 'Pod');
    expect(replicasOf(deployments) + pods.length).toBe(500);
    // Shared labels (Deployments of several replicas) and unique ones (bare Pods) both occur.
    expect(deployments.some((doc) => (doc.spec.replicas ?? 0) > 1)).toBe(true);
    expect(pods.length).toBeGreaterThan(0);
    expect(pods.some((doc) => /^10\.0\.\d+\.\d+$/.test(String(doc.status?.podIP)))).toBe(true);
  });

  it('writes only valid-looking Kubernetes objects', () => {
    const apiVersions: Record<string, string> = {
      Namespace: 'v1',
      Pod: 'v1',
      Deployment: 'apps/v1',
      NetworkPolicy: 'networking.k8s.io/v1',
    };
    const namespaces = new Set(cluster.namespaces);
    const names = new Set<string>();
    for (const doc of docs) {
      expect(apiVersions[doc.kind]).toBe(doc.apiVersion);
      expect(doc.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      const key = `${doc.kind}/${doc.metadata.namespace ?? ''}/${doc.metadata.name}`;
      expect(names.has(key)).toBe(false);
      names.add(key);
      if (doc.kind !== 'Namespace') expect(namespaces.has(doc.metadata.namespace ?? '')).toBe(true);
      if (doc.kind === 'Deployment') {
        const template = doc.spec.template?.metadata.labels ?? {};
        for (const [key, value] of Object.entries(doc.spec.selector?.matchLabels ?? {}))
          expect(template[key]).toBe(value);
      }
      if (doc.kind === 'NetworkPolicy') {
        expect(doc.spec.podSelector).toBeDefined();
        expect(doc.spec.policyTypes?.length).toBeGreaterThan(0);
        for (const rule of [...(doc.spec.ingress ?? []), ...(doc.spec.egress ?? [])]) {
          for (const port of rule.ports ?? []) {
            if (port.endPort !== undefined) expect(port.endPort).toBeGreaterThanOrEqual(Number(port.port));
            expect(['TCP', 'UDP', 'SCTP', undefined]).toContain(port.protocol);
          }
        }
      }
    }
  });

  it('declares 10 ports per pod, some named, some UDP, unique per pod', () => {
    for (const doc of [...ofKind(docs, 'Deployment'), ...ofKind(docs, 'Pod')]) {
      const ports = containersOf(doc).flatMap((container) => container.ports);
      expect(ports).toHaveLength(10);
      const keys = ports.map((port) => `${port.containerPort}/${port.protocol ?? 'TCP'}`);
      expect(new Set(keys).size).toBe(10);
      const named = ports.filter((port) => port.name !== undefined).map((port) => port.name);
      expect(new Set(named).size).toBe(named.length);
      expect(named.length).toBeGreaterThan(0);
    }
    expect(cluster.manifests).toContain('protocol: UDP');
    expect(cluster.manifests).toContain('protocol: SCTP');
  });

  it('mixes the policy features', () => {
    for (const text of [
      'endPort:',
      'operator: In',
      'operator: NotIn',
      'operator: Exists',
      'except:',
      'port: http',
    ])
      expect(cluster.manifests).toContain(text);
    expect(cluster.manifests).toContain('cidr: 0.0.0.0/0');
  });

  it('writes a contract over generated groups, scoped to every namespace', () => {
    const contract = parse(cluster.contract) as Contract;
    expect(contract.scope).toEqual(cluster.namespaces);
    const groups = contract.groups;
    expect(Object.keys(groups).length).toBeGreaterThan(10);
    for (const group of Object.values(groups)) expect(cluster.namespaces).toContain(group.namespace);
    const allow = contract.allow;
    expect(allow.length).toBeGreaterThanOrEqual(24);
    for (const row of allow) {
      expect(groups[row.from]).toBeDefined();
      expect(groups[row.to]).toBeDefined();
      for (const port of row.ports) expect(port).toMatch(/^(\d+\/(TCP|UDP|SCTP)|[a-z][-a-z0-9]*)$/);
    }
  });

  it('writes one policy with 1,000 distinct ipBlocks in the 1,000-CIDR case', () => {
    if (!WIDE) throw new Error('no cidr case');
    const wide = generateCluster({ ...WIDE.cluster, seed: 1 });
    const wideDocs = documents(wide.manifests);
    const policies = ofKind(wideDocs, 'NetworkPolicy');
    expect(policies).toHaveLength(WIDE.cluster.policies);
    const blocksPerRule = policies.flatMap((policy) =>
      [...(policy.spec.egress ?? []), ...(policy.spec.ingress ?? [])].map((rule) =>
        [...(rule.to ?? []), ...(rule.from ?? [])].flatMap((peer) => (peer.ipBlock ? [peer.ipBlock] : [])),
      ),
    );
    const widest = blocksPerRule.reduce<IpBlock[]>((a, b) => (b.length > a.length ? b : a), []);
    expect(widest).toHaveLength(1000);
    expect(new Set(widest.map((block) => block.cidr)).size).toBe(1000);
    expect(widest.some((block) => (block.except?.length ?? 0) > 0)).toBe(true);
    for (const block of widest) expect(block.cidr).toMatch(/^\d+\.\d+\.\d+\.\d+\/\d+$/);
    expect(replicasOf(ofKind(wideDocs, 'Deployment')) + ofKind(wideDocs, 'Pod').length).toBe(40);
  });
});
