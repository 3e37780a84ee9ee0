import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '@platform/devstack';
import { parse } from 'yaml';

/** A problem with what was asked (exit 2), as opposed to a deploy that failed (exit 1). */
export class DeployInputError extends Error {}

/** Where the JWT signing key of an environment that does not generate one comes from. */
export type SigningKeySource =
  /** A PEM file: the stand-in for tests and a first install by hand. */
  | { file: string }
  /** An AWS Secrets Manager secret whose string is the PEM key: the documented source. */
  | { awsSecretId: string };

export interface DeployOptions {
  /** dev, staging or prod: values-<environment>.yaml, namespace platform-<environment>. */
  environment: string;
  /** The image tag every service runs (the commit the pipeline built). */
  imageTag: string;
  kubeconfig?: string;
  context?: string;
  /** More values files, after the environment's (the infrastructure's write-values output). */
  values?: string[];
  /** --set overrides, last. */
  set?: string[];
  /** Only when the environment's Secret is missing; never replaces an existing key. */
  signingKey?: SigningKeySource;
  /** A file of `<service>-mongo-url=...` lines, when the database Secret is missing (tests). */
  databaseSecretFile?: string;
  /** The database's CA bundle (PEM), when its ConfigMap is missing (tests). */
  caBundleFile?: string;
  release?: string;
  /** helm's --timeout for the upgrade and the test. */
  timeout?: string;
  /** Run helm test after the upgrade (default true). */
  test?: boolean;
  chartDir: string;
  tools: { helm: string; kubectl: string; aws?: string };
  log?: (line: string) => void;
}

interface EnvironmentNeeds {
  namespace: string;
  values: string;
  /** values-<environment>.yaml turns infrastructure.required on: its stack's values must be given. */
  infrastructureRequired: boolean;
  /** The pod security group ids values-<environment>.yaml holds: placeholders until the stack's are given. */
  placeholderGroupIds: ReadonlySet<string>;
  /** The signing key Secret and key the chart reads, when it does not generate one. */
  signingKeySecret?: { name: string; key: string };
  databaseSecret?: string;
  caBundle?: { configMap: string; key: string };
}

/** The AWS Secrets Manager name of an environment's signing key, as the operations guide documents it. */
export const signingKeySecretId = (environment: string) => `platform/${environment}/jwt-signing-key`;

/** What the chart needs but does not create, read from the values the release uses. */
export function environmentNeeds(chartDir: string, environment: string): EnvironmentNeeds {
  const values = join(chartDir, `values-${environment}.yaml`);
  if (!/^[a-z][a-z0-9-]*$/.test(environment) || !existsSync(values)) {
    const known = ['dev', 'staging', 'prod'].filter((name) =>
      existsSync(join(chartDir, `values-${name}.yaml`)),
    );
    throw new DeployInputError(`unknown environment "${environment}" (known: ${known.join(', ')})`);
  }
  type Values = {
    jwt?: { existingSecret?: string; privateKeyKey?: string; generate?: boolean };
    mongodb?: {
      mode?: string;
      external?: { existingSecret?: string; caBundle?: { configMap?: string; key?: string } };
    };
    infrastructure?: { required?: boolean };
    podSecurityGroups?: { groupIds?: Record<string, string[] | null> | null };
  };
  const defaults = parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as Values;
  const own = (parse(readFileSync(values, 'utf8')) ?? {}) as Values;
  const jwt = { ...defaults.jwt, ...own.jwt };
  const mongodb = { ...defaults.mongodb, ...own.mongodb };
  const external = { ...defaults.mongodb?.external, ...own.mongodb?.external };
  const caBundle = { ...defaults.mongodb?.external?.caBundle, ...own.mongodb?.external?.caBundle };
  return {
    namespace: `platform-${environment}`,
    values,
    infrastructureRequired: (own.infrastructure?.required ?? defaults.infrastructure?.required) === true,
    placeholderGroupIds: new Set(
      Object.values(own.podSecurityGroups?.groupIds ?? {}).flatMap((ids) => ids ?? []),
    ),
    ...(jwt.existingSecret && jwt.generate === false
      ? { signingKeySecret: { name: jwt.existingSecret, key: jwt.privateKeyKey ?? 'private-key.pem' } }
      : {}),
    ...(mongodb.mode === 'external' && external.existingSecret
      ? { databaseSecret: external.existingSecret }
      : {}),
    ...(mongodb.mode === 'external' && caBundle.configMap
      ? { caBundle: { configMap: caBundle.configMap, key: caBundle.key ?? 'ca.pem' } }
      : {}),
  };
}

async function runTool(command: string, args: string[], input?: string, timeoutMs?: number): Promise<string> {
  const options = {
    ...(input === undefined ? {} : { input }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  };
  return (await runCommand(command, args, options)).stdout;
}

/**
 * Installs or upgrades one environment's release. First the values are checked: helm merges them
 * as it would for the upgrade, and an environment that requires its infrastructure's values
 * (staging, prod) without them, with another environment's, or with placeholder security group
 * ids, is refused before the cluster is asked anything. Then it creates what the chart needs but
 * does not create: the namespace with its Pod Security labels (when missing) and, where the environment reads them from
 * existing objects, the signing key Secret, the database Secret and the CA bundle. Existing
 * objects are never replaced (a key rotation is its own procedure). Then `helm upgrade --install
 * --atomic --wait` (a failed upgrade undoes itself) and `helm test`; when the tests fail, back to
 * the previous revision. Rejects with what is missing or what failed.
 */
export async function deploy(options: DeployOptions): Promise<void> {
  const log = options.log ?? (() => undefined);
  const needs = environmentNeeds(options.chartDir, options.environment);
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(options.imageTag)) {
    throw new DeployInputError(`--image-tag "${options.imageTag}" is not a valid image tag`);
  }
  for (const file of [...(options.values ?? []), options.databaseSecretFile, options.caBundleFile]) {
    if (file !== undefined && !existsSync(file)) throw new DeployInputError(`no such file: ${file}`);
  }
  if (options.signingKey && 'file' in options.signingKey && !existsSync(options.signingKey.file)) {
    throw new DeployInputError(`no such file: ${options.signingKey.file}`);
  }
  const release = options.release ?? 'platform';
  // The values, exactly as helm upgrade gets them (the environment's file, the given files in
  // order, then --set), checked before the cluster is asked anything: refused when they lack the
  // infrastructure's, are another environment's, or carry placeholders.
  const valueArgs = [
    '-f',
    needs.values,
    ...(options.values ?? []).flatMap((file) => ['-f', file]),
    '--set',
    `global.image.tag=${options.imageTag}`,
    ...(options.set ?? []).flatMap((value) => ['--set', value]),
  ];
  const values = await releaseValues(
    options.tools.helm,
    release,
    options.chartDir,
    needs.namespace,
    valueArgs,
  );
  const refusal = infrastructureRefusal(options.environment, needs, values, chartDefaults(options.chartDir));
  if (refusal) throw new DeployInputError(refusal);

  const access = [
    ...(options.kubeconfig ? [`--kubeconfig=${options.kubeconfig}`] : []),
    ...(options.context ? [`--context=${options.context}`] : []),
  ];
  const kubectl = (args: string[], input?: string) =>
    runTool(options.tools.kubectl, [...access, ...args], input, 120_000);

  try {
    await kubectl(['get', '--raw', '/readyz', '--request-timeout=10s']);
  } catch (error) {
    throw new DeployInputError(
      `the cluster does not answer (${options.kubeconfig ?? 'the default kubeconfig'}${options.context ? `, context ${options.context}` : ''}): ${(error as Error).message}`,
    );
  }

  // First every check and every source read, so that bad input stops it before anything changes.
  const exists = async (kind: string, name: string) =>
    (await kubectl(['get', kind, name, '-n', needs.namespace, '--ignore-not-found', '-o', 'name'])).trim() !==
    '';
  const createSigningKey =
    needs.signingKeySecret && !(await exists('secret', needs.signingKeySecret.name))
      ? { ...needs.signingKeySecret, pem: await signingKey(options, needs) }
      : undefined;
  const createDatabaseSecret =
    needs.databaseSecret && !(await exists('secret', needs.databaseSecret))
      ? needs.databaseSecret
      : undefined;
  if (createDatabaseSecret && !options.databaseSecretFile) {
    throw new DeployInputError(
      `Secret ${createDatabaseSecret} is missing in ${needs.namespace}: the infrastructure creates it (deploy/infra, ` +
        `pulumi up for the stack); for a cluster without it, pass --database-secret-file`,
    );
  }
  const createCaBundle =
    needs.caBundle && !(await exists('configmap', needs.caBundle.configMap)) ? needs.caBundle : undefined;
  if (createCaBundle && !options.caBundleFile) {
    throw new DeployInputError(
      `ConfigMap ${createCaBundle.configMap} is missing in ${needs.namespace}: the infrastructure creates it; ` +
        `for a cluster without it, pass --ca-bundle-file`,
    );
  }

  await ensureNamespace(kubectl, needs.namespace, log);
  if (createSigningKey) {
    log(
      `secret ${createSigningKey.name}: created from ${describeSource(options.signingKey, options.environment)}`,
    );
    await kubectl(
      ['create', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: createSigningKey.name, namespace: needs.namespace },
        type: 'Opaque',
        stringData: { [createSigningKey.key]: createSigningKey.pem },
      }),
    );
  }
  if (createDatabaseSecret && options.databaseSecretFile) {
    log(`secret ${createDatabaseSecret}: created from ${options.databaseSecretFile}`);
    await kubectl([
      'create',
      'secret',
      'generic',
      createDatabaseSecret,
      '-n',
      needs.namespace,
      `--from-env-file=${options.databaseSecretFile}`,
    ]);
  }
  if (createCaBundle && options.caBundleFile) {
    log(`configmap ${createCaBundle.configMap}: created from ${options.caBundleFile}`);
    await kubectl([
      'create',
      'configmap',
      createCaBundle.configMap,
      '-n',
      needs.namespace,
      `--from-file=${createCaBundle.key}=${options.caBundleFile}`,
    ]);
  }

  const timeout = options.timeout ?? '10m';
  const helmAccess = [
    ...(options.kubeconfig ? ['--kubeconfig', options.kubeconfig] : []),
    ...(options.context ? ['--kube-context', options.context] : []),
  ];
  log(`helm upgrade --install ${release} (${options.environment}, image tag ${options.imageTag})`);
  await runTool(options.tools.helm, [
    'upgrade',
    '--install',
    release,
    options.chartDir,
    '--namespace',
    needs.namespace,
    ...valueArgs,
    '--atomic',
    '--wait',
    '--timeout',
    timeout,
    ...helmAccess,
  ]);
  if (options.test ?? true) {
    log(`helm test ${release}`);
    try {
      await runTool(options.tools.helm, [
        'test',
        release,
        '--namespace',
        needs.namespace,
        '--timeout',
        timeout,
        ...helmAccess,
      ]);
    } catch (error) {
      // The test pods' own words say which service was not ready: fetched here, where a cluster
      // without kubelet logs, or a pod already gone, simply has none to give.
      const logs = await testLogs(kubectl, needs.namespace, release);
      // helm leaves the hooks it made before one it could not create (a test Job that admission
      // or a quota refused), and a failed Job for its logs: the NetworkPolicies that open the
      // readiness ports to the test pod would stay until the next helm test.
      await removeTestHooks(kubectl, needs.namespace, release, log);
      const outcome = await rollBack(options.tools.helm, release, needs.namespace, timeout, helmAccess, log);
      throw new Error(`${(error as Error).message}${logs ? `\n${logs}` : ''}\n${outcome}`, { cause: error });
    }
  }
}

/** Chart values as parsed YAML or JSON. */
type Values = Record<string, unknown>;

/** The value at a dotted path, or undefined (a null is taken as unset). */
function valueAt(values: unknown, path: string): unknown {
  let value = values;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Values)[key];
  }
  return value ?? undefined;
}

const chartDefaults = (chartDir: string) =>
  (parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) ?? {}) as Values;

/** The template the values check adds to a copy of the chart: the values, as the templates see them. */
const VALUES_TEMPLATE = 'templates/zz-deploy-values-check.yaml';

/**
 * The values a release gets (the chart's defaults, then the -f files in order, then --set), merged
 * by helm itself: `helm template` of a copy of the chart with one more template, which prints
 * `.Values`. Nothing is asked of the cluster, and the whole chart renders (its schema and its own
 * checks included), so a failure is bad input. (`helm install --dry-run=client -o json` has the
 * merged values too, but helm 3.19 still reads the cluster's API discovery and maps every rendered
 * kind against it.)
 */
async function releaseValues(
  helm: string,
  release: string,
  chartDir: string,
  namespace: string,
  valueArgs: string[],
): Promise<Values> {
  const copy = mkdtempSync(join(tmpdir(), 'deploy-values-'));
  try {
    cpSync(chartDir, copy, { recursive: true });
    writeFileSync(join(copy, VALUES_TEMPLATE), '{{ toJson .Values }}\n');
    let output: string;
    try {
      output = await runTool(
        helm,
        ['template', release, copy, '--namespace', namespace, '--show-only', VALUES_TEMPLATE, ...valueArgs],
        undefined,
        120_000,
      );
    } catch (error) {
      throw new DeployInputError(`the chart does not render with these values: ${(error as Error).message}`);
    }
    // The document helm prints: a `---` line, a `# Source:` line, then the JSON.
    const json = output
      .split('\n')
      .filter((line) => !/^(---|# Source: )/.test(line))
      .join('\n');
    return JSON.parse(json) as Values;
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

/** How an environment's infrastructure values are made, for the messages. */
function writeValuesCommand(environment: string): string {
  const file = `/tmp/infra-${environment}.yaml`;
  return (
    `  npm run build -w @platform/infra\n` +
    `  pulumi stack output --json --stack ${environment} | npm run -s write-values -w @platform/infra -- --env ${environment} --out ${file}\n` +
    `  npm run deploy -- ${environment} --image-tag <tag> -f ${file}\n` +
    `(the deploy workflow does this from the environment's variable INFRA_OUTPUTS_JSON)`
  );
}

/**
 * Why the values given must not be installed, or undefined: values written by write-values for
 * another environment; an environment whose file requires its infrastructure's values
 * (`infrastructure.required`, staging and prod) without them; pod security group ids that are still
 * the placeholders of values-<environment>.yaml. `supplied` are the values as helm merged them,
 * `defaults` the chart's values.yaml (for what `supplied` leaves out). A later file cannot waive
 * what the environment's file requires.
 */
export function infrastructureRefusal(
  environment: string,
  needs: Pick<EnvironmentNeeds, 'infrastructureRequired' | 'placeholderGroupIds'>,
  supplied: Values,
  defaults: Values,
): string | undefined {
  const effective = (path: string) => valueAt(supplied, path) ?? valueAt(defaults, path);
  const writtenFor = valueAt(supplied, 'infrastructure.environment');
  if (typeof writtenFor === 'string' && writtenFor !== '' && writtenFor !== environment) {
    return (
      `the infrastructure values given were written for ${writtenFor} (infrastructure.environment: ${writtenFor}), ` +
      `not for ${environment}: ${environment} must run with its own stack's registry, security groups, subnets and host. ` +
      `Write ${environment}'s from its stack outputs:\n${writeValuesCommand(environment)}`
    );
  }
  const podGroups = effective('podSecurityGroups.enabled') === true;
  const required = needs.infrastructureRequired || effective('infrastructure.required') === true;
  if (required && !writtenFor) {
    const supplies = [
      'the image registry',
      ...(podGroups ? ['the pod security group ids'] : []),
      ...(effective('mongodb.mode') === 'external' ? ['the database subnet CIDRs'] : []),
      ...(effective('ingress.enabled') === false ? [] : ['the ingress host']),
    ];
    const list = `${supplies.slice(0, -1).join(', ')} and ${supplies.at(-1) ?? ''}`;
    return (
      `${environment} deploys only with the values its infrastructure stack produces (${list}), and none were given: ` +
      `no values file sets infrastructure.environment. Without them it would be installed with the placeholders ` +
      `of values-${environment}.yaml. Write them from the stack outputs and add the file with -f:\n` +
      writeValuesCommand(environment)
    );
  }
  if (podGroups && needs.placeholderGroupIds.size > 0) {
    const groupIds = effective('podSecurityGroups.groupIds');
    const services = Object.entries(groupIds !== null && typeof groupIds === 'object' ? groupIds : {})
      .filter(([, ids]) => Array.isArray(ids) && ids.some((id) => needs.placeholderGroupIds.has(String(id))))
      .map(([service]) => service)
      .sort();
    if (services.length > 0) {
      return (
        `${environment} would run with the placeholder pod security group ids of values-${environment}.yaml ` +
        `for ${services.join(', ')}: no deployed group has them. The stack's ids come with its infrastructure ` +
        `values (write-values); a values file or --set given after that file must not put the placeholders back.`
      );
    }
  }
  return undefined;
}

/**
 * Creates the namespace, with Pod Security `restricted`, when it is missing. An existing one is
 * left as it is (on EKS the infrastructure owns it); the pipeline's namespaced Role cannot even
 * read it, and then it is taken to exist.
 */
async function ensureNamespace(
  kubectl: (args: string[], input?: string) => Promise<string>,
  namespace: string,
  log: (line: string) => void,
): Promise<void> {
  let found: string;
  try {
    found = (await kubectl(['get', 'namespace', namespace, '--ignore-not-found', '-o', 'name'])).trim();
  } catch (error) {
    if (!/forbidden/i.test((error as Error).message)) throw error;
    log(
      `namespace ${namespace}: not readable with these credentials, taken to exist (deploy/infra creates it)`,
    );
    return;
  }
  if (found) {
    log(`namespace ${namespace}: exists, left as it is`);
    return;
  }
  log(`namespace ${namespace}: created, Pod Security restricted`);
  await kubectl(
    ['create', '-f', '-'],
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: namespace,
        labels: {
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
        },
      },
    }),
  );
}

/** After failed tests: back to the previous revision when there is one. */
async function rollBack(
  helm: string,
  release: string,
  namespace: string,
  timeout: string,
  access: string[],
  log: (line: string) => void,
): Promise<string> {
  const history = JSON.parse(
    await runTool(helm, [
      'history',
      release,
      '--namespace',
      namespace,
      '--max',
      '2',
      '-o',
      'json',
      ...access,
    ]),
  ) as { revision: number }[];
  if (history.length < 2) return `the first release of ${release} failed its tests: nothing to roll back to`;
  const previous = Math.min(...history.map((entry) => entry.revision));
  log(`helm rollback ${release} to revision ${previous}`);
  await runTool(helm, [
    'rollback',
    release,
    String(previous),
    '--namespace',
    namespace,
    '--wait',
    '--timeout',
    timeout,
    ...access,
  ]);
  return `rolled back to revision ${previous}`;
}

/** The label selector of the release's `helm test` objects (the chart's test component). */
const testSelector = (release: string) =>
  `app.kubernetes.io/instance=${release},app.kubernetes.io/component=test`;

interface TestObject {
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
}

/** The release's `helm test` objects of the given kinds (`jobs,networkpolicies`, `pods`). */
async function testObjects(
  kubectl: (args: string[]) => Promise<string>,
  namespace: string,
  release: string,
  kinds: string,
): Promise<TestObject[]> {
  const listed = await kubectl(['get', kinds, '-n', namespace, '-l', testSelector(release), '-o', 'json']);
  return (JSON.parse(listed) as { items: TestObject[] }).items;
}

/** Deletes what the release's `helm test` hooks left: the Job (and its pod) and the NetworkPolicies. */
async function removeTestHooks(
  kubectl: (args: string[]) => Promise<string>,
  namespace: string,
  release: string,
  log: (line: string) => void,
): Promise<void> {
  const hooks = (await testObjects(kubectl, namespace, release, 'jobs,networkpolicies'))
    .filter((item) => (item.metadata.annotations?.['helm.sh/hook'] ?? '').split(',').includes('test'))
    .map((item) => `${item.kind.toLowerCase()}/${item.metadata.name}`);
  if (hooks.length === 0) return;
  log(`removing what the test left: ${hooks.join(', ')}`);
  // Foreground: the Job goes only once its pod is gone, so nothing is left when this returns.
  await kubectl([
    'delete',
    '-n',
    namespace,
    '--ignore-not-found',
    '--cascade=foreground',
    '--timeout=60s',
    ...hooks,
  ]);
}

async function testLogs(
  kubectl: (args: string[]) => Promise<string>,
  namespace: string,
  release: string,
): Promise<string> {
  const pods = await testObjects(kubectl, namespace, release, 'pods').catch((): TestObject[] => []);
  const logs = await Promise.all(
    pods.map(async (pod) => {
      const text = await kubectl(['logs', pod.metadata.name, '-n', namespace, '--all-containers']).catch(
        () => '',
      );
      return text ? `--- ${pod.metadata.name}\n${text.trim()}` : '';
    }),
  );
  return logs.filter(Boolean).join('\n');
}

async function signingKey(options: DeployOptions, needs: EnvironmentNeeds): Promise<string> {
  const source = options.signingKey ?? { awsSecretId: signingKeySecretId(options.environment) };
  let pem: string;
  if ('file' in source) {
    pem = readFileSync(source.file, 'utf8');
  } else {
    if (!options.tools.aws) {
      throw new DeployInputError(
        `Secret ${needs.signingKeySecret?.name ?? ''} is missing in ${needs.namespace} and its source is AWS Secrets Manager ` +
          `(${source.awsSecretId}), but the aws CLI is not available; pass --signing-key-file for a cluster outside AWS`,
      );
    }
    pem = await runTool(options.tools.aws, [
      'secretsmanager',
      'get-secret-value',
      '--secret-id',
      source.awsSecretId,
      '--query',
      'SecretString',
      '--output',
      'text',
    ]);
  }
  if (!/-----BEGIN (EC |RSA )?PRIVATE KEY-----/.test(pem)) {
    throw new DeployInputError(
      `the signing key from ${describeSource(source, options.environment)} is not a PEM private key`,
    );
  }
  return pem;
}

function describeSource(source: SigningKeySource | undefined, environment: string): string {
  if (!source) return `AWS Secrets Manager (${signingKeySecretId(environment)})`;
  return 'file' in source ? source.file : `AWS Secrets Manager (${source.awsSecretId})`;
}
