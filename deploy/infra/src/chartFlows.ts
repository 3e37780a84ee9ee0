import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { SERVICES, type Service } from './services';
import { PROJECT_DIR } from './stackConfig';

/**
 * The chart's `networkPolicy.flows` (deploy/helm/platform/values.yaml) is the one declaration of
 * which component calls which port of which other. The security group rules between pod groups
 * are derived from it here, never typed again.
 */
export const CHART_VALUES = resolve(PROJECT_DIR, '..', 'helm', 'platform', 'values.yaml');

/** Callee -> port name -> callers (components of the release, or named peers such as prometheus). */
export type Flows = Record<string, Record<string, string[]>>;

export class ChartFlowsError extends Error {
  override name = 'ChartFlowsError';
}

export function readChartFlows(file: string = CHART_VALUES): Flows {
  let values: unknown;
  try {
    values = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ChartFlowsError(`cannot read the chart's flows from ${file}: ${(error as Error).message}`);
  }
  const flows = (values as { networkPolicy?: { flows?: unknown } } | null)?.networkPolicy?.flows;
  if (typeof flows !== 'object' || flows === null || Array.isArray(flows))
    throw new ChartFlowsError(`${file}: networkPolicy.flows must be a map of callee -> port -> callers`);
  for (const [callee, ports] of Object.entries(flows as Record<string, unknown>)) {
    if (typeof ports !== 'object' || ports === null || Array.isArray(ports))
      throw new ChartFlowsError(`${file}: networkPolicy.flows.${callee} must be a map of port -> callers`);
    for (const [port, callers] of Object.entries(ports as Record<string, unknown>)) {
      if (!Array.isArray(callers) || callers.some((caller) => typeof caller !== 'string'))
        throw new ChartFlowsError(`${file}: networkPolicy.flows.${callee}.${port} must be a list of callers`);
    }
  }
  return flows as Flows;
}

const isService = (name: string): name is Service => (SERVICES as readonly string[]).includes(name);

/** Service -> the services that call its http port. */
export function serviceCallers(flows: Flows): Partial<Record<Service, Service[]>> {
  const callers: Partial<Record<Service, Service[]>> = {};
  for (const service of SERVICES) {
    const http = (flows[service]?.http ?? []).filter(isService);
    if (http.length > 0) callers[service] = http;
  }
  return callers;
}

/** The services that call the database port (the chart's `mongodb` component). */
export function databaseClients(flows: Flows): Service[] {
  return (flows.mongodb?.mongodb ?? []).filter(isService);
}
