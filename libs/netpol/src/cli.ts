#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { check, allowedFlows, findEndpoint } from './analysis';
import { loadContract, parsePort } from './contract';
import { evaluate } from './engine';
import { buildCluster, InputError, loadClusterModel, loadManifests } from './manifests';
import { formatCheck, formatExplanation, formatMatrix, type MatrixFormat } from './report';
import type { Cluster, Endpoint, Protocol } from './types';

const USAGE = `netpol: who can reach whom, from rendered Kubernetes manifests

usage:
  netpol matrix  <manifests...> [--model FILE] [--namespace NS] [--scope NS,...] [--format text|markdown|json|mermaid]
  netpol check   <manifests...> --expect CONTRACT [--model FILE] [--namespace NS]
  netpol explain <manifests...> --from SOURCE --to DESTINATION --port PORT [--model FILE] [--namespace NS]

  <manifests>   YAML files or directories (e.g. helm template output)
  --model       the cluster model: namespaces, pods and external networks the manifests do not render
  --namespace   namespace of objects that name none, and of bare names (default: default)
  --ignore-kind a custom resource kind that carries no pods (repeatable)
  SOURCE, DESTINATION: namespace/name of a pod or workload, a bare name in --namespace, or an external network
  PORT: 8080/TCP, 53/UDP, 8080 (TCP) or a port name of the destination pod

exit codes: 0 success (check: the contract holds; explain: allowed), 1 contract broken or connection denied,
            2 bad usage or input`;

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

class UsageError extends Error {}

function loadCluster(
  paths: string[],
  model: string | undefined,
  namespace: string,
  ignoreKinds: string[],
): Cluster {
  if (paths.length === 0) throw new UsageError('no manifests given');
  const contents = loadManifests(paths, { defaultNamespace: namespace, ignoreKinds });
  return buildCluster(contents, model ? loadClusterModel(model) : undefined);
}

function endpoint(
  cluster: Cluster,
  reference: string | undefined,
  option: string,
  namespace: string,
): Endpoint {
  if (!reference) throw new UsageError(`${option} is required`);
  const found = findEndpoint(cluster, reference, namespace);
  if (found) return found;
  const known = [...cluster.pods.map((pod) => pod.id), ...cluster.externals.map((external) => external.id)];
  throw new UsageError(
    `${option} ${reference}: no such pod, workload or network (known: ${known.join(', ')})`,
  );
}

function connectionPort(text: string | undefined, to: Endpoint): { port: number; protocol: Protocol } {
  if (!text) throw new UsageError('--port is required');
  const port = parsePort(text);
  if ('port' in port) return port;
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
function dnsNotes(cluster: Cluster, from: Endpoint): string[] {
  if (from.kind !== 'pod') return [];
  const resolvers = cluster.pods.filter((pod) => pod.labels['k8s-app'] === 'kube-dns');
  if (resolvers.length === 0) return [];
  const blocked = resolvers.filter(
    (to) => !evaluate(cluster, { from, to, port: 53, protocol: 'UDP' }).allowed,
  );
  if (blocked.length < resolvers.length) return [];
  return [
    `DNS not allowed: ${from.id} cannot reach ${resolvers.map((pod) => pod.id).join(', ')} on 53/UDP, so it cannot resolve any Service name`,
  ];
}

export function main(argv: string[], io: CliIo): number {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        model: { type: 'string' },
        namespace: { type: 'string', default: 'default' },
        scope: { type: 'string' },
        format: { type: 'string', default: 'text' },
        expect: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        port: { type: 'string' },
        'ignore-kind': { type: 'string', multiple: true, default: [] },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const [command, ...paths] = positionals;
    if (values.help || !command) {
      io.out(USAGE);
      return values.help ? 0 : 2;
    }
    const namespace = values.namespace;
    const cluster = () => loadCluster(paths, values.model, namespace, values['ignore-kind']);
    switch (command) {
      case 'matrix': {
        const format = values.format as MatrixFormat;
        if (!['text', 'markdown', 'json', 'mermaid'].includes(format))
          throw new UsageError(`unknown --format ${format}`);
        const scope = values.scope ? values.scope.split(',') : [namespace];
        io.out(formatMatrix(allowedFlows(cluster(), scope), format));
        return 0;
      }
      case 'check': {
        if (!values.expect) throw new UsageError('check needs --expect <contract>');
        const loaded = cluster();
        const result = check(loaded, loadContract(values.expect, namespace), namespace);
        (result.ok ? io.out : io.err)(formatCheck(result, paths.join(' ')));
        return result.ok ? 0 : 1;
      }
      case 'explain': {
        const loaded = cluster();
        const from = endpoint(loaded, values.from, '--from', namespace);
        const to = endpoint(loaded, values.to, '--to', namespace);
        const verdict = evaluate(loaded, { from, to, ...connectionPort(values.port, to) });
        io.out(formatExplanation(verdict, verdict.allowed ? [] : dnsNotes(loaded, from)));
        return verdict.allowed ? 0 : 1;
      }
      default:
        throw new UsageError(`unknown command ${command} (matrix, check, explain)`);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof InputError) {
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
  process.exitCode = main(process.argv.slice(2), {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
  });
}
