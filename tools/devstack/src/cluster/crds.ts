import { join } from 'node:path';
import { moduleSource } from '../tools';
import type { ControlPlane } from './control-plane';

/**
 * The CustomResourceDefinitions of the kinds the chart renders, read from the pinned Go modules
 * that ship them (never copied into the repository): ServiceMonitor and PrometheusRule from the
 * Prometheus operator, SecurityGroupPolicy from the VPC resource controller.
 */
export const CHART_CRDS: { source: string; file: string }[] = [
  {
    source: 'prometheus-operator',
    file: 'example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml',
  },
  {
    source: 'prometheus-operator',
    file: 'example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml',
  },
  {
    source: 'vpc-resource-controller',
    file: 'config/crd/bases/vpcresources.k8s.aws_securitygrouppolicies.yaml',
  },
];

/** Installs the chart's CRDs and waits until the API server serves them. */
export async function installChartCrds(cluster: ControlPlane): Promise<void> {
  const files = await Promise.all(
    CHART_CRDS.map(async ({ source, file }) => join(await moduleSource(source), file)),
  );
  // Server-side apply: these CRDs are larger than the last-applied annotation allows.
  await cluster.kubectl(['apply', '--server-side', ...files.flatMap((file) => ['-f', file])]);
  const wait = () =>
    cluster.kubectl([
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      ...files.flatMap((file) => ['-f', file]),
    ]);
  // A CRD created an instant ago may not have a status yet, and kubectl wait then fails at once
  // instead of waiting: try again until the API server has written one.
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await wait();
      return;
    } catch (error) {
      if (!/status\.conditions accessor error/.test((error as Error).message) || Date.now() > deadline)
        throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
