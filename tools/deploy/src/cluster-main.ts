/**
 * `npm run cluster`: a real Kubernetes control plane on this machine with simulated nodes, the
 * chart's CRDs, and dev deployed into platform-dev by the deploy step the pipeline runs, until
 * Ctrl-C.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  installChartCrds,
  repoRoot,
  simulatedNodes,
  startControlPlane,
  toolPath,
  type ControlPlane,
} from '@platform/devstack';
import { deploy } from './deploy';
import { writeStackNetworkModel } from './networkModel';

const say = (text: string) => process.stdout.write(`${text}\n`);
const NAMESPACE = 'platform-dev';

async function main(): Promise<void> {
  // Signals can arrive while it is still starting.
  const running: { cluster?: ControlPlane } = {};
  const work = mkdtempSync(join(tmpdir(), 'platform-cluster-'));
  let stopping = false;
  const stop = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    say('\nstopping the control plane…');
    await running.cluster?.stop();
    rmSync(work, { recursive: true, force: true });
    say('stopped.');
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  say('starting etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok…');
  // Pods take their addresses where EKS gives them (the dev stack's private subnets), so that the
  // verifier's ipBlocks meet them where they would in the cloud.
  const networkFile = join(work, 'network-dev.json');
  const { podCidrs } = writeStackNetworkModel('dev', networkFile);
  const cluster = await startControlPlane({ nodes: simulatedNodes(3, podCidrs) });
  running.cluster = cluster;
  say('installing the CRDs of ServiceMonitor, PrometheusRule and SecurityGroupPolicy…');
  await installChartCrds(cluster);
  say(`deploying dev into ${NAMESPACE} (npm run deploy)…`);
  const tools = { helm: await toolPath('helm'), kubectl: await toolPath('kubectl') };
  await deploy({
    environment: 'dev',
    imageTag: 'local',
    kubeconfig: cluster.kubeconfig,
    chartDir: join(repoRoot, 'deploy', 'helm', 'platform'),
    timeout: '3m',
    tools,
    log: (line) => say(`  ${line}`),
  });
  const { kubectl, helm } = tools;
  say(`
A real Kubernetes control plane (v1.34) with three simulated nodes is running on 127.0.0.1, with
the platform installed in ${NAMESPACE}. Pods are scheduled and turn Ready, but no container runs and
no network policy is enforced: it checks what the API server accepts and how the release rolls out.

  export KUBECONFIG=${cluster.kubeconfig}
  ${kubectl} get deploy -n ${NAMESPACE}
  ${kubectl} get pods -n ${NAMESPACE} -o wide
  npm run -s netpol -- check --kubeconfig "$KUBECONFIG" --model deploy/netpol/cluster-eks.yaml \\
    --network-model ${networkFile} --namespace ${NAMESPACE} --expect deploy/netpol/contract.yaml
  ${helm} get manifest platform -n ${NAMESPACE} | npm run -s netpol -- diff - kube: \\
    --model deploy/netpol/cluster-eks.yaml --network-model ${networkFile} --namespace ${NAMESPACE}

Ctrl-C stops everything and removes its data.`);
  // Stay in the foreground until a signal: the timer keeps the event loop alive.
  setInterval(() => undefined, 60_000);
}

main().catch((error: unknown) => {
  process.stderr.write(`npm run cluster: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
