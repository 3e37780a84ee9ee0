import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { repoRoot, toolPath } from '@platform/devstack';
import type { LabelSelector } from '@platform/netpol';

const run = promisify(execFile);

export const CHART_DIR = join(repoRoot, 'deploy', 'helm', 'platform');
export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];
export const NAMESPACE = 'platform-test';

export type { LabelSelector } from '@platform/netpol';
export interface Probe {
  httpGet?: { path: string; port: string | number };
  tcpSocket?: { port: string | number };
  exec?: { command: string[] };
}
export interface Container {
  name: string;
  image: string;
  ports?: { name: string; containerPort: number; protocol: string }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  envFrom?: { configMapRef?: { name: string } }[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown> & { capabilities?: { drop?: string[]; add?: string[] } };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
export interface PodSpec {
  automountServiceAccountToken?: boolean;
  serviceAccountName?: string;
  securityContext?: Record<string, unknown>;
  containers: Container[];
  volumes?: { name: string; emptyDir?: unknown; secret?: { secretName: string }; configMap?: unknown }[];
  topologySpreadConstraints?: {
    topologyKey: string;
    whenUnsatisfiable: string;
    labelSelector: LabelSelector;
  }[];
}
export interface PolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}
export interface PolicyRule {
  from?: PolicyPeer[];
  to?: PolicyPeer[];
  ports?: { port?: number | string; protocol?: string }[];
}
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // The rendered objects are many kinds; tests narrow what they read with the interfaces above.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: any;
  data?: Record<string, string>;
  automountServiceAccountToken?: boolean;
}

export interface RenderOptions {
  release?: string;
  /** Extra values, merged last (as a values file). */
  values?: Record<string, unknown>;
  /** Extra helm arguments (e.g. --show-only). */
  args?: string[];
}

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

let helmBinary: Promise<string> | undefined;
export function helmPath(): Promise<string> {
  helmBinary ??= toolPath('helm');
  return helmBinary;
}

/** Runs helm and returns its exit code and output, never throwing on a non-zero exit. */
export async function helm(args: string[]): Promise<HelmResult> {
  try {
    const { stdout, stderr } = await run(await helmPath(), args, {
      cwd: CHART_DIR,
      maxBuffer: 32 * 1024 * 1024,
      timeout: 120_000,
      env: { ...process.env, HELM_CACHE_HOME: tmpdir(), KUBECONFIG: '/dev/null' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failure.code === 'number' ? failure.code : 1,
      stdout: failure.stdout ?? '',
      stderr: failure.stderr ?? '',
    };
  }
}

/** The helm arguments selecting an environment's values file, then the extra values. */
export function valuesArgs(
  environment: Environment | undefined,
  values?: Record<string, unknown>,
): {
  args: string[];
  cleanup: () => void;
} {
  const args = environment ? ['-f', join(CHART_DIR, `values-${environment}.yaml`)] : [];
  if (!values) return { args, cleanup: () => undefined };
  const dir = mkdtempSync(join(tmpdir(), 'chart-values-'));
  const file = join(dir, 'values.json');
  writeFileSync(file, JSON.stringify(values));
  return { args: [...args, '-f', file], cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `helm template` for an environment; resolves with the output or rejects with helm's message. */
export async function template(
  environment: Environment | undefined,
  options: RenderOptions = {},
): Promise<string> {
  const { args, cleanup } = valuesArgs(environment, options.values);
  try {
    const result = await helm([
      'template',
      options.release ?? environment ?? 'platform',
      CHART_DIR,
      '--namespace',
      NAMESPACE,
      ...args,
      ...(options.args ?? []),
    ]);
    if (result.code !== 0) throw new Error(result.stderr.trim() || `helm exited with ${result.code}`);
    return result.stdout;
  } finally {
    cleanup();
  }
}

export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((document) => {
      if (document.errors.length > 0)
        throw new Error(`rendered YAML does not parse: ${document.errors[0]?.message}`);
      return document.toJS() as K8sObject | null;
    })
    .filter((object): object is K8sObject => object !== null && typeof object === 'object');
}

export async function render(
  environment: Environment | undefined,
  options: RenderOptions = {},
): Promise<K8sObject[]> {
  return parseManifests(await template(environment, options));
}

export const ofKind = (objects: K8sObject[], kind: string) =>
  objects.filter((object) => object.kind === kind);

export function named(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found)
    throw new Error(
      `no ${kind} ${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`,
    );
  return found;
}

/** Pods and pod templates, with the labels their pods carry. */
export function podsOf(
  objects: K8sObject[],
): { owner: K8sObject; labels: Record<string, string>; spec: PodSpec }[] {
  return objects.flatMap((object) => {
    if (object.kind === 'Pod') {
      return [{ owner: object, labels: object.metadata.labels ?? {}, spec: object.spec as PodSpec }];
    }
    if (['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(object.kind)) {
      const template = (
        object.spec as { template: { metadata: { labels: Record<string, string> }; spec: PodSpec } }
      ).template;
      return [{ owner: object, labels: template.metadata.labels, spec: template.spec }];
    }
    return [];
  });
}

export function decode(base64: string): string {
  return Buffer.from(base64, 'base64').toString('utf8');
}
