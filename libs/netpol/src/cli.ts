#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { allowedPairs, check, findEndpoint } from './analysis';
import { loadContract, parsePort } from './contract';
import { DIFF_FORMATS, diffAnalyses, formatDiff, type DiffFormat } from './diff';
import { analyze, ENFORCERS, type Analysis, type AnalysisOptions, type Enforcer } from './engine';
import { evaluate } from './explain';
import { checkLayers, describeSides, withNetwork } from './layers';
import { ENFORCED_RULES, formatLint, lint, lintEks } from './lint';
import { ClusterAccessError, readCluster, type LiveSource } from './live';
import {
  buildCluster,
  InputError,
  loadClusterModel,
  loadDocuments,
  readInputs,
  type ManifestDocument,
} from './manifests';
import { loadNetworkModel, type NetworkModel } from './networkModel';
import { formatCheck, formatExplanation, formatMatrix, MATRIX_FORMATS, type MatrixFormat } from './report';
import { SECURITY_GROUP_SOURCES, securityLayer } from './securityGroups';
import { ConnectionSet } from './connections';
import type { Cluster, Endpoint, Protocol } from './types';

const USAGE = `netpol: who can reach whom, exactly, from Kubernetes manifests

usage:
  netpol matrix  <inputs...> [--model FILE] [--network-model FILE] [--namespace NS]
                 [--scope NS,... | --all-namespaces]
                 [--format text|markdown|json|mermaid|connlist]
  netpol check   <inputs...> --expect CONTRACT [--model FILE] [--network-model FILE] [--namespace NS]
  netpol explain <inputs...> --from SOURCE --to DESTINATION [--port PORT] [--model FILE]
                 [--network-model FILE] [--namespace NS]
  netpol lint    <inputs...> [--expect CONTRACT] [--model FILE] [--network-model FILE] [--namespace NS]
  netpol diff    <before> <after> | <before> --kubeconfig FILE [--model FILE] [--network-model FILE]
                 [--namespace NS] [--scope NS,... | --all-namespaces]
                 [--format text|markdown|json] [--fail-on-change]

  <inputs>      YAML or JSON files, directories (read recursively), or - for standard input:
                helm template output, kubectl get -o yaml (List kinds too); kinds that neither make
                pods nor are Namespaces, NetworkPolicies, Services, ServiceAccounts or
                SecurityGroupPolicies are ignored, and named on standard error;
                kube: (or kube:CONTEXT) reads a live cluster
  --kubeconfig, --context
                read a live cluster too (alone: instead of files), read-only: namespaces, pods,
                workloads, services, service accounts, NetworkPolicies and SecurityGroupPolicies
                of every namespace; the kubeconfig defaults to $KUBECONFIG, then ~/.kube/config
  --model       the cluster model: namespaces, pods, named networks and pod address ranges the
                inputs lack
  --network-model
                the infrastructure's network model (npm run network-model -- --stack NAME): security
                groups and their rules, the VPC's subnets (named networks, where pod addresses lie),
                the VPC CNI's settings. check and explain then decide on both layers: NetworkPolicies
                through the EKS agent, and the security groups the inputs' SecurityGroupPolicies give
                the pods, per path and enforcing mode; matrix, lint and diff take its networks
  --namespace   namespace of objects that name none, and of bare names (default: default)
  <before>, <after>
                one input each (a file, a directory, -, or kube:[CONTEXT]): the connections added,
                removed and changed from one to the other, exact over every port and address
  --fail-on-change
                diff: exit 1 when any connection changed
  --enforcer upstream|eks
                whose semantics decide: the Kubernetes API's, or the EKS network policy agent's
                (CIDR rules without named ports, ingress named ports over the policy's pods, bare
                pods unenforced); default: the cluster model's enforcer, else upstream
  lint          every place the EKS agent enforces otherwise than the policies say, or cannot
                (each with its source); exit 1 when one touches a flow of --expect (any, without)
  --ipblock-pods match|ignore
                whether ipBlocks match pods by address (match, as Kubernetes does; ignore, as
                np-guard/netpol-analyzer assumes)
  SOURCE, DESTINATION: namespace/name of a pod or workload, a bare name in --namespace, a named
                network, an IPv4 address, or a range as printed (10.0.0.0-10.255.255.255)
  PORT: 8080/TCP, 53/UDP, 8080 (TCP) or a port name of the destination pod; without --port,
        explain prints the exact set of allowed connections

Connections are exact sets: every protocol (TCP, UDP, SCTP), every port 1-65535, and the whole
IPv4 space outside the cluster split into ranges at every ipBlock and named-network boundary.

exit codes: 0 success (check: the contract holds; explain: allowed), 1 contract broken, connection
            denied, a lint risk on a contract flow, or (diff --fail-on-change) connections
            changed, 2 bad usage or input, or a cluster that cannot be read`;

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

class UsageError extends Error {}

interface Inputs {
  paths: string[];
  model: string | undefined;
  namespace: string;
  /** The live cluster's kubeconfig and context, for `kube:` inputs and --kubeconfig/--context. */
  live: LiveSource;
  /** Whether --kubeconfig or --context asked for the live cluster without a `kube:` input. */
  liveByOption: boolean;
}

const LIVE_INPUT = /^kube:(.*)$/;

interface Loaded {
  cluster: Cluster;
  /** What reports call the inputs: files as given, standard input, clusters by context. */
  label: string;
}

async function loadCluster(
  inputs: Inputs,
  io: CliIo,
  readStdin: (() => string) | undefined,
): Promise<Loaded> {
  const { paths, namespace } = inputs;
  if (paths.length === 0 && !inputs.liveByOption)
    throw new UsageError(
      'no inputs given (files, directories, - for standard input, or kube: / --kubeconfig for a live cluster)',
    );
  const files = paths.filter((path) => !LIVE_INPUT.test(path));
  const contexts = paths.flatMap((path) => {
    const match = LIVE_INPUT.exec(path);
    return match ? [match[1] || inputs.live.context] : [];
  });
  if (inputs.liveByOption) contexts.push(inputs.live.context);
  const live: ManifestDocument[] = [];
  const clusters: string[] = [];
  for (const context of new Set(contexts)) {
    const source: LiveSource = { ...inputs.live };
    if (context) source.context = context;
    else delete source.context;
    const read = await readCluster(source);
    live.push(...read.documents);
    for (const note of read.notes) io.err(`netpol: note: ${note}`);
    clusters.push(read.label);
  }
  const documents = function* (): Generator<ManifestDocument> {
    yield* readInputs(files, readStdin ? { readStdin } : {});
    yield* live;
  };
  const contents = loadDocuments(documents(), { defaultNamespace: namespace });
  if (contents.ignored.length > 0) {
    const total = contents.ignored.reduce((sum, entry) => sum + entry.count, 0);
    io.err(
      `netpol: ignored ${total} object(s) that neither make pods nor are Namespaces, NetworkPolicies, Services, ServiceAccounts or SecurityGroupPolicies: ${contents.ignored
        .map((entry) => `${entry.kind} (${entry.count})`)
        .join(', ')}`,
    );
  }
  return {
    cluster: buildCluster(contents, inputs.model ? loadClusterModel(inputs.model) : undefined),
    label: [...files.map((path) => (path === '-' ? '<stdin>' : path)), ...clusters].join(' '),
  };
}

function endpoint(
  analysis: Analysis,
  reference: string | undefined,
  option: string,
  namespace: string,
): Endpoint {
  if (!reference) throw new UsageError(`${option} is required`);
  const found = findEndpoint(analysis, reference, namespace);
  if (found) return found;
  const known = [
    ...analysis.cluster.pods.map((pod) => pod.id),
    ...analysis.cluster.externals.map((external) => external.id),
  ];
  throw new UsageError(
    `${option} ${reference}: no such pod, workload, network or address (known: ${known.join(', ')})`,
  );
}

function connectionPort(text: string, to: Endpoint): { port: number; protocol: Protocol } {
  const port = parsePort(text);
  if ('port' in port) {
    if (port.endPort !== undefined) throw new UsageError(`--port ${text}: give one port, not a range`);
    return { port: port.port, protocol: port.protocol };
  }
  const declared = to.kind === 'pod' ? to.ports.find((candidate) => candidate.name === port.name) : undefined;
  if (!declared) {
    const ports =
      to.kind === 'pod'
        ? to.ports.map((p) => `${p.name ?? '(unnamed)'}=${p.containerPort}/${p.protocol}`)
        : [];
    throw new UsageError(
      `--port ${text}: ${to.id} declares no port named "${port.name}" (it has ${ports.join(', ') || 'none'})`,
    );
  }
  return { port: declared.containerPort, protocol: declared.protocol };
}

/** When the source cannot resolve names, nothing by name works: say so next to the verdict. */
function dnsNotes(cluster: Cluster, from: Endpoint, options: AnalysisOptions): string[] {
  if (from.kind !== 'pod') return [];
  const resolvers = cluster.pods.filter((pod) => pod.labels['k8s-app'] === 'kube-dns');
  if (resolvers.length === 0) return [];
  const blocked = resolvers.filter(
    (to) => !evaluate(cluster, { from, to, port: 53, protocol: 'UDP' }, options).allowed,
  );
  if (blocked.length < resolvers.length) return [];
  return [
    `DNS not allowed: ${from.id} cannot reach ${resolvers.map((pod) => pod.id).join(', ')} on 53/UDP, so it cannot resolve any Service name`,
  ];
}

function ipBlockPods(value: string): AnalysisOptions {
  if (value !== 'match' && value !== 'ignore')
    throw new UsageError(`--ipblock-pods ${value}: match or ignore`);
  return { ipBlocksMatchPods: value === 'match' };
}

/** The enforcer: as given, else as the cluster model says, else upstream. */
function withEnforcer(
  options: AnalysisOptions,
  given: string | undefined,
  cluster: Cluster,
): AnalysisOptions {
  if (given !== undefined && !ENFORCERS.some((enforcer) => enforcer === given))
    throw new UsageError(`--enforcer ${given}: ${ENFORCERS.join(' or ')}`);
  const enforcer = (given as Enforcer | undefined) ?? cluster.enforcer ?? 'upstream';
  return { ...options, enforcer };
}

/** The security groups' verdict on one connection, path by path. */
function explainSecurityGroups(
  cluster: Cluster,
  model: NetworkModel,
  from: Endpoint,
  to: Endpoint,
  connection: { port: number; protocol: Protocol },
): { assured: boolean; possible: boolean; lines: string[] } {
  const layer = securityLayer(cluster, model);
  const asked = ConnectionSet.ports(connection.protocol, connection.port);
  const [source] = layer.partiesOf(from);
  const [destination] = layer.partiesOf(to);
  if (!source || !destination) return { assured: false, possible: false, lines: [] };
  const verdicts = layer.paths(source, destination).map((spec) => layer.evaluate(spec, 'must'));
  const admits = verdicts.map((verdict) => !verdict.admitted.intersect(asked).isEmpty());
  // Whether it can happen at all: any path, whatever may sit at an address (`may` matching).
  const possible = layer
    .partiesOf(from)
    .some((sender) =>
      layer
        .partiesOf(to)
        .some((receiver) =>
          layer
            .paths(sender, receiver)
            .some((spec) => !layer.evaluate(spec, 'may').admitted.intersect(asked).isEmpty()),
        ),
    );
  const lines = [
    `security groups (${model.stack}, pod security groups ${layer.mode === 'off' ? 'off' : `in ${layer.mode} mode`}): ${
      admits.every(Boolean)
        ? 'admit it on every path'
        : admits.some(Boolean)
          ? 'admit it on some paths only'
          : 'refuse it'
    }`,
    ...verdicts.map(
      (verdict, index) =>
        `  ${verdict.path}: ${admits[index] ? 'admitted' : 'REFUSED'} (${describeSides(verdict, asked)})`,
    ),
    ...layer.unresolved.map((problem) => `note: ${problem}`),
    ...[...new Set(verdicts.flatMap((verdict) => verdict.sources))].map(
      (source) => `source: ${SECURITY_GROUP_SOURCES[source]}`,
    ),
  ];
  return { assured: admits.every(Boolean), possible, lines };
}

export async function main(argv: string[], io: CliIo, readStdin?: () => string): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        model: { type: 'string' },
        namespace: { type: 'string', default: 'default' },
        scope: { type: 'string' },
        'all-namespaces': { type: 'boolean', default: false },
        format: { type: 'string', default: 'text' },
        expect: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        port: { type: 'string' },
        'ipblock-pods': { type: 'string', default: 'match' },
        enforcer: { type: 'string' },
        'network-model': { type: 'string' },
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        'fail-on-change': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const [command, ...paths] = positionals;
    if (values.help || !command) {
      io.out(USAGE);
      return values.help ? 0 : 2;
    }
    const namespace = values.namespace;
    const baseOptions = ipBlockPods(values['ipblock-pods']);
    if (values.enforcer !== undefined)
      withEnforcer(baseOptions, values.enforcer, { namespaces: [], pods: [], externals: [], policies: [] });
    const optionsFor = (cluster: Cluster) => withEnforcer(baseOptions, values.enforcer, cluster);
    const inputs: Inputs = {
      paths,
      model: values.model,
      namespace,
      live: {
        ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
        ...(values.context ? { context: values.context } : {}),
      },
      liveByOption:
        (values.kubeconfig !== undefined || values.context !== undefined) &&
        !paths.some((path) => LIVE_INPUT.test(path)),
    };
    const networkFile = values['network-model'];
    if (networkFile === '-' && paths.includes('-'))
      throw new UsageError('standard input can be the inputs or the network model, not both');
    const network: NetworkModel | undefined = networkFile
      ? loadNetworkModel(networkFile, readStdin)
      : undefined;
    const networked = async (given: Inputs): Promise<Loaded> => {
      const loaded = await loadCluster(given, io, readStdin);
      return network ? { ...loaded, cluster: withNetwork(loaded.cluster, network) } : loaded;
    };
    const cluster = () => networked(inputs);
    const scopeOf = (): string[] | undefined => {
      if (values.scope && values['all-namespaces'])
        throw new UsageError('give --scope or --all-namespaces, not both');
      return values['all-namespaces'] ? undefined : values.scope ? values.scope.split(',') : [namespace];
    };
    switch (command) {
      case 'matrix': {
        const format = values.format as MatrixFormat;
        if (!MATRIX_FORMATS.includes(format)) throw new UsageError(`unknown --format ${format}`);
        const scope = scopeOf();
        const { cluster: loaded } = await cluster();
        const analysis = analyze(loaded, optionsFor(loaded));
        io.out(formatMatrix(allowedPairs(analysis, scope), format, analysis.notes, analysis.splits));
        return 0;
      }
      case 'check': {
        if (!values.expect) throw new UsageError('check needs --expect <contract>');
        const loaded = await cluster();
        const contract = loadContract(values.expect, namespace);
        const result = network
          ? checkLayers(loaded.cluster, contract, namespace, optionsFor(loaded.cluster), network)
          : check(loaded.cluster, contract, namespace, optionsFor(loaded.cluster));
        (result.ok ? io.out : io.err)(formatCheck(result, loaded.label));
        return result.ok ? 0 : 1;
      }
      case 'explain': {
        const { cluster: loaded } = await cluster();
        const options = optionsFor(loaded);
        const analysis = analyze(loaded, options);
        const from = endpoint(analysis, values.from, '--from', namespace);
        const to = endpoint(analysis, values.to, '--to', namespace);
        if (values.port === undefined) {
          const allowed = analysis.between(from, to);
          io.out(
            [
              `${from.id} -> ${to.id}: ${allowed.isEmpty() ? 'DENIED on every port' : `allowed ${allowed.toString()}`}`,
              'give --port for the policy and rule that decide one connection',
              ...analysis.notes.map((note) => `note: ${note}`),
            ].join('\n'),
          );
          return allowed.isEmpty() ? 1 : 0;
        }
        const connection = connectionPort(values.port, to);
        const verdict = evaluate(analysis.cluster, { from, to, ...connection }, options);
        const notes = verdict.allowed ? [] : dnsNotes(analysis.cluster, from, options);
        // The rule-by-rule reasons read the policies as the Kubernetes API defines them.
        const allowed = analysis.between(from, to).has(connection.protocol, connection.port);
        if (allowed !== verdict.allowed) {
          // The EKS rules the analysis follows, where they name one of the two ends.
          const deciding = lintEks(analysis.cluster).filter(
            (finding) =>
              ENFORCED_RULES.includes(finding.rule) &&
              (finding.pods.includes(from.id) || finding.pods.includes(to.id)),
          );
          notes.push(
            `the ${options.enforcer} enforcer ${allowed ? 'admits' : 'refuses'} this connection all the same${
              deciding.length
                ? `: ${deciding.map((finding) => `[${finding.rule}] ${finding.message} (${finding.source})`).join('; ')}`
                : ''
            }`,
          );
        }
        if (!network) {
          io.out(formatExplanation({ ...verdict, allowed }, notes));
          return allowed ? 0 : 1;
        }
        const layered = explainSecurityGroups(analysis.cluster, network, from, to, connection);
        // Exit 0 when the connection can happen on some path; the verdict says whether on all.
        const possible = allowed && layered.possible;
        const verdictText = !possible
          ? 'DENIED'
          : layered.assured
            ? 'ALLOWED on every path'
            : 'ALLOWED on some paths only';
        io.out(
          [
            formatExplanation({ ...verdict, allowed: possible }, notes).replace(
              /: (ALLOWED|DENIED)\n/,
              `: ${verdictText}\n`,
            ),
            `NetworkPolicy: ${allowed ? 'admits' : 'refuses'}`,
            ...layered.lines,
          ].join('\n'),
        );
        return possible ? 0 : 1;
      }
      case 'lint': {
        const loaded = await cluster();
        const contract = values.expect ? loadContract(values.expect, namespace) : undefined;
        const result = lint(loaded.cluster, contract, namespace, optionsFor(loaded.cluster));
        io.out(formatLint(result, loaded.label));
        return result.touching.length > 0 ? 1 : 0;
      }
      case 'diff': {
        const format = values.format as DiffFormat;
        if (!DIFF_FORMATS.includes(format))
          throw new UsageError(`unknown --format ${format} (text, markdown, json)`);
        // With --kubeconfig or --context, one input is compared with the live cluster.
        const sides =
          paths.length === 1 && inputs.liveByOption
            ? [paths[0] ?? '', `kube:${inputs.live.context ?? ''}`]
            : paths;
        if (sides.length !== 2)
          throw new UsageError(`diff compares two inputs, <before> and <after> (got ${sides.length})`);
        if (sides.every((path) => path === '-'))
          throw new UsageError('diff reads standard input for one side only');
        const scope = scopeOf();
        const side = (path: string): Inputs => ({ ...inputs, paths: [path], liveByOption: false });
        const [before, after] = await Promise.all(sides.map((path) => networked(side(path))));
        if (!before || !after) throw new UsageError('diff compares two inputs');
        const result = diffAnalyses(
          analyze(before.cluster, optionsFor(before.cluster)),
          analyze(after.cluster, optionsFor(after.cluster)),
          scope,
        );
        io.out(formatDiff(result, format, { before: before.label, after: after.label }));
        return result.changed && values['fail-on-change'] ? 1 : 0;
      }
      default:
        throw new UsageError(`unknown command ${command} (matrix, check, explain, lint, diff)`);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof InputError || error instanceof ClusterAccessError) {
      io.err(`netpol: ${error.message}${error instanceof UsageError ? '\n\n' + USAGE : ''}`);
      return 2;
    }
    if (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      io.err(`netpol: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `netpol: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 2;
    },
  );
}
