import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { runCommand } from '../command';
import { freePort, portAcceptsConnections } from '../database/launcher';
import { eventually } from '../eventually';
import { spawnSupervised, type SupervisedProcess } from '../supervised';
import { moduleSource, toolPath } from '../tools';
import { simulatedNodes, type SimulatedNode } from './nodes';
import { createClusterPki, kubeconfigText, type ClusterPki, type PemFiles } from './pki';

export interface ControlPlaneOptions {
  /** Simulated nodes (default: three, one per zone). */
  nodes?: SimulatedNode[];
  /** How long the whole start may take. */
  startTimeoutMs?: number;
  /**
   * PersistentVolumes made up front (default 6): no provisioner runs, so these are what claims
   * without a storage class (a StatefulSet's) bind to.
   */
  persistentVolumes?: number;
}

export interface ControlPlane {
  /** `https://127.0.0.1:<port>` */
  server: string;
  /** The admin kubeconfig (system:masters). */
  kubeconfig: string;
  dataDir: string;
  /** Runs the pinned kubectl with the admin kubeconfig; rejects with its stderr on a non-zero exit. */
  kubectl: (args: string[], input?: string) => Promise<string>;
  /** Stops every component, kwok first and etcd last, and removes the data directory. */
  stop: () => Promise<void>;
}

export const SERVICE_CLUSTER_IP_RANGE = '10.96.0.0/16';

/** Marks the nodes kwok simulates (it manages only those). */
export const KWOK_NODE = 'kwok.x-k8s.io/node';

/** kwok's own stages, read from its module: nodes turn Ready and keep a heartbeat, pods turn Ready. */
const KWOK_STAGES = [
  'kustomize/stage/node/fast/node-initialize.yaml',
  'kustomize/stage/node/heartbeat/node-heartbeat.yaml',
  'kustomize/stage/pod/fast/pod-ready.yaml',
  'kustomize/stage/pod/fast/pod-complete.yaml',
  'kustomize/stage/pod/fast/pod-delete.yaml',
];

const TOOLS = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kwok',
  'kubectl',
] as const;

/**
 * A real Kubernetes control plane on this machine: etcd, kube-apiserver (RBAC, admission with Pod
 * Security), kube-controller-manager, kube-scheduler, and kwok simulating the nodes. Every
 * listener is on 127.0.0.1 on a free port; a fresh data directory and PKI on every start; every
 * process supervised, so that it stops with this one however it ends. Pods are scheduled and turn
 * Ready; no container runs and no network policy is enforced.
 */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'platform-cluster-'));
  const components: { name: string; process: SupervisedProcess }[] = [];
  const stop = async () => {
    // Reverse start order: etcd, which everything else writes to, goes last.
    for (const component of [...components].reverse()) await component.process.stop();
    components.length = 0;
    rmSync(dataDir, { recursive: true, force: true });
  };
  const start = (
    name: string,
    command: string,
    args: string[],
    options: { env?: Record<string, string>; cleanupDir?: string } = {},
  ) => {
    components.push({ name, process: spawnSupervised(command, args, options) });
  };
  const waitFor = async (what: string, check: () => Promise<boolean>) => {
    try {
      await eventually(
        async () => {
          const exited = components.find((component) => component.process.exitReason());
          if (exited) throw new Error(`${exited.process.exitReason() ?? exited.name}`);
          return check();
        },
        Math.max(1_000, deadline - Date.now()),
      );
    } catch (error) {
      const logs = components.map((component) => `--- ${component.name}\n${component.process.output()}`);
      throw new Error(`${what} did not become ready: ${(error as Error).message}\n${logs.join('\n')}`, {
        cause: error,
      });
    }
  };

  try {
    const paths = await Promise.all(TOOLS.map((tool) => toolPath(tool)));
    const tool = (name: (typeof TOOLS)[number]) => paths[TOOLS.indexOf(name)] as string;
    const pki = await createClusterPki(dataDir);

    const [etcdPort, etcdPeerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const peerUrl = `http://127.0.0.1:${etcdPeerPort}`;
    const etcdData = join(dataDir, 'etcd');
    mkdirSync(etcdData, { mode: 0o700 });
    start(
      'etcd',
      tool('etcd'),
      [
        '--name=platform-test',
        `--data-dir=${etcdData}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=platform-test=${peerUrl}`,
        '--listen-metrics-urls=',
        '--log-level=warn',
        // etcd stops last, also when this process is killed: its supervisor removes the data then.
      ],
      { cleanupDir: dataDir },
    );
    await waitFor('etcd', () => portAcceptsConnections(etcdPort));

    const server = `https://127.0.0.1:${apiPort}`;
    start('kube-apiserver', tool('kube-apiserver'), apiserverArgs(pki, etcdUrl, apiPort));
    await waitFor('kube-apiserver', () => readyz(apiPort, pki.caCert, pki.admin));

    const kubeconfig = (name: string, user: string, client: PemFiles) => {
      const path = join(dataDir, `${name}.kubeconfig`);
      writeFileSync(path, kubeconfigText(server, pki.caCert, user, client), { mode: 0o600 });
      return path;
    };
    const admin = kubeconfig('admin', 'admin', pki.admin);

    // Secure port 0: nothing of theirs is needed over HTTPS, and a listener less cannot leak.
    start('kube-controller-manager', tool('kube-controller-manager'), [
      `--kubeconfig=${kubeconfig('controller-manager', 'system:kube-controller-manager', pki.controllerManager)}`,
      '--bind-address=127.0.0.1',
      '--secure-port=0',
      '--leader-elect=false',
      '--use-service-account-credentials=true',
      `--service-account-private-key-file=${pki.serviceAccountKey}`,
      `--root-ca-file=${pki.caCert}`,
      `--cluster-signing-cert-file=${pki.caCert}`,
      `--cluster-signing-key-file=${pki.caKey}`,
      `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
      '--controllers=*',
    ]);
    start('kube-scheduler', tool('kube-scheduler'), [
      `--kubeconfig=${kubeconfig('scheduler', 'system:kube-scheduler', pki.scheduler)}`,
      '--bind-address=127.0.0.1',
      '--secure-port=0',
      '--leader-elect=false',
    ]);
    // kwok keeps state under HOME; a private one keeps it out of the user's.
    start(
      'kwok',
      tool('kwok'),
      [
        `--kubeconfig=${kubeconfig('kwok', 'kwok', pki.kwok)}`,
        '--manage-all-nodes=false',
        `--manage-nodes-with-annotation-selector=${KWOK_NODE}=fake`,
        `--config=${await kwokStages(dataDir)}`,
      ],
      { env: { HOME: dataDir } },
    );

    const kubectl = (args: string[], input?: string) => runKubectl(tool('kubectl'), admin, args, input);
    const nodes = options.nodes ?? simulatedNodes();
    const volumes = Array.from({ length: options.persistentVolumes ?? 6 }, (_, index) =>
      volumeObject(index + 1),
    );
    await kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [...nodes.map(nodeObject), ...volumes] }),
    );
    await waitFor('the simulated nodes', async () => {
      const ready = await kubectl([
        'get',
        'nodes',
        '-o',
        'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}',
      ]);
      return ready.split('\n').filter((status) => status === 'True').length === nodes.length;
    });
    // The controller manager gives every namespace its default ServiceAccount; pods need it.
    await waitFor('the default ServiceAccount', () =>
      kubectl(['get', 'serviceaccount', 'default', '-n', 'default']).then(
        () => true,
        () => false,
      ),
    );
    return { server, kubeconfig: admin, dataDir, kubectl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function apiserverArgs(pki: ClusterPki, etcdUrl: string, port: number): string[] {
  return [
    `--etcd-servers=${etcdUrl}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${port}`,
    // 127.0.0.1 cannot be published as the kubernetes Service's endpoint: no reconciler then.
    '--advertise-address=127.0.0.1',
    '--endpoint-reconciler-type=none',
    `--tls-cert-file=${pki.apiserver.cert}`,
    `--tls-private-key-file=${pki.apiserver.key}`,
    `--client-ca-file=${pki.caCert}`,
    '--authorization-mode=Node,RBAC',
    // The defaults (PodSecurity among them), named so that a release changing them shows here.
    '--enable-admission-plugins=NamespaceLifecycle,LimitRanger,ServiceAccount,PodSecurity,DefaultStorageClass,ResourceQuota,MutatingAdmissionWebhook,ValidatingAdmissionWebhook',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${pki.serviceAccountPublicKey}`,
    `--service-account-signing-key-file=${pki.serviceAccountKey}`,
    `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
    '--allow-privileged=false',
    '--profiling=false',
  ];
}

async function kwokStages(dataDir: string): Promise<string> {
  const source = await moduleSource('kwok');
  const stages = KWOK_STAGES.map((file) => readFileSync(join(source, file), 'utf8'));
  const path = join(dataDir, 'kwok-stages.yaml');
  writeFileSync(path, [...stages, runOnceCompletes(source)].join('\n---\n'));
  return path;
}

/**
 * kwok completes only the pods of Jobs; a pod that runs once (a helm test hook) completes the same
 * way here, or helm would wait for it forever.
 */
function runOnceCompletes(source: string): string {
  const stage = parse(readFileSync(join(source, 'kustomize/stage/pod/fast/pod-complete.yaml'), 'utf8')) as {
    metadata: { name: string };
    spec: { selector: { matchExpressions: { key: string; operator: string; values?: string[] }[] } };
  };
  stage.metadata.name = 'pod-complete-run-once';
  stage.spec.selector.matchExpressions = stage.spec.selector.matchExpressions.map((expression) =>
    expression.key.startsWith('.metadata.ownerReferences')
      ? { key: '.spec.restartPolicy', operator: 'In', values: ['Never'] }
      : expression,
  );
  return stringify(stage);
}

function readyz(port: number, caFile: string, client: PemFiles): Promise<boolean> {
  const ca = readFileSync(caFile);
  const cert = readFileSync(client.cert);
  const key = readFileSync(client.key);
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/readyz', ca, cert, key, timeout: 2_000 },
      (response) => {
        response.resume();
        resolve(response.statusCode === 200);
      },
    );
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

async function runKubectl(
  kubectl: string,
  kubeconfig: string,
  args: string[],
  input?: string,
): Promise<string> {
  const options = {
    timeoutMs: 120_000,
    label: `kubectl ${args.join(' ')}`,
    ...(input === undefined ? {} : { input }),
  };
  return (await runCommand(kubectl, [`--kubeconfig=${kubeconfig}`, ...args], options)).stdout;
}

function nodeObject(node: SimulatedNode) {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: node.name,
      labels: {
        'kubernetes.io/hostname': node.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'topology.kubernetes.io/zone': node.zone,
        'topology.kubernetes.io/region': node.zone.replace(/[a-z]$/, ''),
        'node.kubernetes.io/instance-type': 'simulated',
        type: 'kwok',
      },
      annotations: { [KWOK_NODE]: 'fake' },
    },
    // No taint: every node of this cluster is simulated, so the chart installs unmodified.
    spec: node.podCidr ? { podCIDR: node.podCidr, podCIDRs: [node.podCidr] } : {},
    status: {
      allocatable: {
        cpu: node.cpu,
        memory: node.memory,
        'ephemeral-storage': node.ephemeralStorage,
        pods: '110',
      },
      capacity: {
        cpu: node.cpu,
        memory: node.memory,
        'ephemeral-storage': node.ephemeralStorage,
        pods: '110',
      },
    },
  };
}

/** A volume for a claim to bind to; nothing is ever written there, as no container runs. */
function volumeObject(index: number) {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: `simulated-${index}`, labels: { type: 'kwok' } },
    spec: {
      capacity: { storage: '50Gi' },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Retain',
      hostPath: { path: `/var/lib/simulated/${index}` },
    },
  };
}

/**
 * Writes a kubeconfig whose server nothing answers (127.0.0.1, port 1), context `nowhere`: what
 * tests of "the cluster does not answer" give the code under test. Returns the file.
 */
export function writeUnreachableKubeconfig(file: string): string {
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'nowhere', cluster: { server: 'https://127.0.0.1:1' } }],
      users: [{ name: 'nobody', user: { token: 'unused' } }],
      contexts: [{ name: 'nowhere', context: { cluster: 'nowhere', user: 'nobody' } }],
      'current-context': 'nowhere',
    }),
  );
  return file;
}
