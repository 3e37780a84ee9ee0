import type * as KubernetesClient from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import type { ManifestDocument } from './manifests';

/** Where the live cluster is: a kubeconfig file (else $KUBECONFIG, ~/.kube/config) and a context. */
export interface LiveSource {
  kubeconfig?: string;
  context?: string;
  /** How long one list request may take, in milliseconds (default 30 s). */
  requestTimeoutMs?: number;
}

/** The cluster could not be read: it does not answer, refuses the credentials, or RBAC refuses a list. */
export class ClusterAccessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterAccessError';
  }
}

/** The objects of a cluster, as the API serves them, and the name reports give the cluster. */
export interface LiveCluster {
  label: string;
  documents: ManifestDocument[];
  /** What could not be read without making the read fail (SecurityGroupPolicies, say). */
  notes: string[];
}

type Json = Record<string, unknown>;
type ClientModule = typeof KubernetesClient;
interface Page {
  items: unknown[];
  metadata?: { _continue?: string };
}

/**
 * Every resource the verifier reads, and the list call that serves it cluster-wide. Services are
 * read as a render has them (the loader names them among the ignored kinds).
 */
const RESOURCES = [
  { kind: 'Namespace', resource: 'namespaces', group: '' },
  { kind: 'Pod', resource: 'pods', group: '' },
  { kind: 'ReplicationController', resource: 'replicationcontrollers', group: '' },
  { kind: 'Service', resource: 'services', group: '' },
  { kind: 'ServiceAccount', resource: 'serviceaccounts', group: '' },
  { kind: 'Deployment', resource: 'deployments', group: 'apps' },
  { kind: 'ReplicaSet', resource: 'replicasets', group: 'apps' },
  { kind: 'StatefulSet', resource: 'statefulsets', group: 'apps' },
  { kind: 'DaemonSet', resource: 'daemonsets', group: 'apps' },
  { kind: 'Job', resource: 'jobs', group: 'batch' },
  { kind: 'CronJob', resource: 'cronjobs', group: 'batch' },
  { kind: 'NetworkPolicy', resource: 'networkpolicies', group: 'networking.k8s.io' },
  // A custom resource: absent without the VPC resource controller's CRD, and outside "view".
  { kind: 'SecurityGroupPolicy', resource: 'securitygrouppolicies', group: 'vpcresources.k8s.aws' },
] as const;
const OPTIONAL: ReadonlySet<Kind> = new Set<Kind>(['SecurityGroupPolicy']);
type Kind = (typeof RESOURCES)[number]['kind'];

const PAGE_SIZE = 500;

interface ModelClass {
  getAttributeTypeMap?: () => { name: string; baseName: string }[];
}

/**
 * An object as the API serves it. The client's typed models rename some fields (an ingress rule's
 * `from` is `_from`); each model class lists its renames, so every one is undone, not just the
 * ones known today. Timestamps go back to text.
 */
function toWire(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toWire);
  if (value instanceof Date) return value.toISOString();
  if (typeof value !== 'object' || value === null) return value;
  const attributes = (value.constructor as ModelClass | undefined)?.getAttributeTypeMap?.() ?? [];
  const wireName = new Map(attributes.map((attribute) => [attribute.name, attribute.baseName]));
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => [wireName.get(key) ?? key, toWire(field)]),
  );
}

function lister(client: ClientModule, config: InstanceType<ClientModule['KubeConfig']>) {
  const core = config.makeApiClient(client.CoreV1Api);
  const apps = config.makeApiClient(client.AppsV1Api);
  const batch = config.makeApiClient(client.BatchV1Api);
  const networking = config.makeApiClient(client.NetworkingV1Api);
  const custom = config.makeApiClient(client.CustomObjectsApi);
  const calls: Record<Kind, (page: { limit: number; _continue?: string }) => Promise<Page>> = {
    Namespace: (page) => core.listNamespace(page),
    Pod: (page) => core.listPodForAllNamespaces(page),
    ReplicationController: (page) => core.listReplicationControllerForAllNamespaces(page),
    Service: (page) => core.listServiceForAllNamespaces(page),
    Deployment: (page) => apps.listDeploymentForAllNamespaces(page),
    ReplicaSet: (page) => apps.listReplicaSetForAllNamespaces(page),
    StatefulSet: (page) => apps.listStatefulSetForAllNamespaces(page),
    DaemonSet: (page) => apps.listDaemonSetForAllNamespaces(page),
    Job: (page) => batch.listJobForAllNamespaces(page),
    CronJob: (page) => batch.listCronJobForAllNamespaces(page),
    NetworkPolicy: (page) => networking.listNetworkPolicyForAllNamespaces(page),
    ServiceAccount: (page) => core.listServiceAccountForAllNamespaces(page),
    SecurityGroupPolicy: async (page) => {
      // Custom objects come as plain JSON: `metadata.continue`, not the typed models' `_continue`.
      const list = (await custom.listClusterCustomObject({
        group: 'vpcresources.k8s.aws',
        version: 'v1beta1',
        plural: 'securitygrouppolicies',
        ...page,
      })) as { items?: unknown[]; metadata?: { continue?: string } };
      return {
        items: list.items ?? [],
        ...(list.metadata?.continue ? { metadata: { _continue: list.metadata.continue } } : {}),
      };
    },
  };
  return calls;
}

function withTimeout<T>(promise: Promise<T>, milliseconds: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ClusterAccessError(`${what}: no answer within ${milliseconds / 1000} s`)),
      milliseconds,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The API's own message of a refusal (a Status object), else its status code. */
function refusal(body: unknown): string {
  try {
    const status = (typeof body === 'string' ? JSON.parse(body) : body) as { message?: unknown };
    if (typeof status?.message === 'string') return status.message;
  } catch {
    // not a Status: fall through
  }
  return typeof body === 'string' && body ? body.slice(0, 200) : 'no message';
}

function accessError(
  client: ClientModule,
  error: unknown,
  resource: (typeof RESOURCES)[number],
  where: string,
): Error {
  if (error instanceof ClusterAccessError) return error;
  const list = `list ${resource.resource}${resource.group ? `.${resource.group}` : ''} in all namespaces`;
  if (error instanceof client.ApiException) {
    const code = (error as { code: number }).code;
    const message = refusal((error as { body: unknown }).body);
    if (code === 401)
      return new ClusterAccessError(`${where} refuses the credentials (401 Unauthorized): ${message}`);
    if (code === 403)
      return new ClusterAccessError(
        `${where}: RBAC refuses to ${list} (403 Forbidden): ${message}. The verifier needs get and list on namespaces, pods, services, serviceaccounts, replicationcontrollers, deployments, replicasets, statefulsets, daemonsets, jobs, cronjobs and networkpolicies, cluster-wide (the built-in "view" ClusterRole has them).`,
      );
    return new ClusterAccessError(`${where}: cannot ${list} (HTTP ${code}): ${message}`);
  }
  const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code;
  const detail = cause ?? (error instanceof Error ? error.message : String(error));
  return new ClusterAccessError(`${where} does not answer (${detail})`);
}

function loadConfig(client: ClientModule, source: LiveSource): InstanceType<ClientModule['KubeConfig']> {
  const config = new client.KubeConfig();
  try {
    if (source.kubeconfig) config.loadFromFile(source.kubeconfig);
    else config.loadFromDefault();
  } catch (error) {
    throw new ClusterAccessError(
      `cannot read the kubeconfig ${source.kubeconfig ?? process.env.KUBECONFIG ?? '~/.kube/config'}: ${(error as Error).message}`,
    );
  }
  if (source.context) {
    if (!config.getContextObject(source.context)) {
      const known = config.getContexts().map((context) => context.name);
      throw new ClusterAccessError(
        `no context "${source.context}" in the kubeconfig (it has: ${known.join(', ') || 'none'})`,
      );
    }
    config.setCurrentContext(source.context);
  }
  if (!config.getCurrentCluster())
    throw new ClusterAccessError(
      `the kubeconfig ${source.kubeconfig ?? '(default)'} names no cluster for context "${config.getCurrentContext()}"`,
    );
  return config;
}

const controllerOf = (object: Json): { kind: string; name: string } | undefined => {
  const metadata = (object.metadata ?? {}) as { ownerReferences?: Json[] };
  const owner = metadata.ownerReferences?.find((reference) => reference.controller === true);
  return owner && typeof owner.kind === 'string' && typeof owner.name === 'string'
    ? { kind: owner.kind, name: owner.name }
    : undefined;
};

const keyOf = (kind: string, object: Json): string => {
  const metadata = (object.metadata ?? {}) as { namespace?: string; name?: string };
  return `${kind}/${metadata.namespace ?? ''}/${metadata.name ?? ''}`;
};

/**
 * The objects as the verifier reasons on them: each pod under the workload that finally controls
 * it (a Deployment's pods, not its ReplicaSet's; a CronJob's, not its Job's), workloads that
 * another listed workload controls left out (their pods stand for them), and pods that have
 * finished (Succeeded, Failed) left out: they hold no address and take no traffic.
 */
function asRendered(objects: { kind: Kind; value: Json }[]): { kind: Kind; value: Json }[] {
  const listed = new Map(objects.map((object) => [keyOf(object.kind, object.value), object.value]));
  const namespaceOf = (object: Json) => ((object.metadata ?? {}) as { namespace?: string }).namespace ?? '';
  /** The last listed controller up a pod's chain of controlling owners. */
  const topController = (pod: Json): { kind: string; name: string } | undefined => {
    const namespace = namespaceOf(pod);
    let owner = controllerOf(pod);
    for (let depth = 0; owner && depth < 8; depth++) {
      const parent = listed.get(`${owner.kind}/${namespace}/${owner.name}`);
      const next = parent && controllerOf(parent);
      if (!next || !listed.has(`${next.kind}/${namespace}/${next.name}`)) break;
      owner = next;
    }
    return owner;
  };
  return objects.flatMap(({ kind, value }): { kind: Kind; value: Json }[] => {
    if (kind === 'Pod') {
      const phase = ((value.status ?? {}) as { phase?: string }).phase;
      if (phase === 'Succeeded' || phase === 'Failed') return [];
      const owner = topController(value);
      const metadata = (value.metadata ?? {}) as { ownerReferences?: Json[] };
      const references = (metadata.ownerReferences ?? []).map((reference) =>
        reference.controller === true && owner
          ? { ...reference, kind: owner.kind, name: owner.name }
          : reference,
      );
      return [{ kind, value: { ...value, metadata: { ...metadata, ownerReferences: references } } }];
    }
    const owner = controllerOf(value);
    if (owner && listed.has(`${owner.kind}/${namespaceOf(value)}/${owner.name}`) && kind !== 'Namespace')
      return [];
    return [{ kind, value }];
  });
}

/**
 * Reads namespaces, pods, workloads, services and NetworkPolicies from a live cluster, read-only,
 * every page of every list, through @kubernetes/client-node (kubeconfig, contexts, exec plugins
 * and TLS as kubectl handles them).
 */
export async function readCluster(source: LiveSource): Promise<LiveCluster> {
  // The client is an ES module: loaded only when a cluster is read.
  const client: ClientModule = await import('@kubernetes/client-node');
  const config = loadConfig(client, source);
  const server = config.getCurrentCluster()?.server ?? '(no server)';
  const context = config.getCurrentContext();
  const where = `the cluster ${server} (context ${context})`;
  const calls = lister(client, config);
  const timeoutMs = source.requestTimeoutMs ?? 30_000;
  const notes: string[] = [];
  const lists = await Promise.all(
    RESOURCES.map(async (resource) => {
      const items: Json[] = [];
      let next: string | undefined;
      try {
        do {
          const page = await withTimeout(
            calls[resource.kind]({ limit: PAGE_SIZE, ...(next ? { _continue: next } : {}) }),
            timeoutMs,
            `${where}: list ${resource.resource}`,
          );
          items.push(...(page.items as Json[]));
          next = page.metadata?._continue || undefined;
        } while (next);
      } catch (error) {
        const code = error instanceof client.ApiException ? (error as { code: number }).code : 0;
        if (OPTIONAL.has(resource.kind) && (code === 404 || code === 403)) {
          notes.push(
            code === 404
              ? `${where} serves no ${resource.resource}.${resource.group}: no pod has security groups of its own`
              : `${where}: RBAC refuses to list ${resource.resource}.${resource.group} (403): every pod is taken to have the node's security groups`,
          );
          return [];
        }
        throw accessError(client, error, resource, where);
      }
      return items.map((item) => ({
        kind: resource.kind,
        value: { ...(toWire(item) as Json), kind: resource.kind },
      }));
    }),
  );
  const label = `cluster:${context}`;
  return {
    label,
    notes,
    documents: asRendered(lists.flat()).map(({ kind, value }, index) => {
      const metadata = (value.metadata ?? {}) as { namespace?: string; name?: string };
      const name = metadata.namespace ? `${metadata.namespace}/${metadata.name}` : metadata.name;
      return { origin: { file: label, index, item: `${kind} ${name ?? ''}` }, value };
    }),
  };
}
