/** A node kwok simulates: its zone label is what the chart's topology spread constraints use. */
export interface SimulatedNode {
  name: string;
  zone: string;
  cpu: string;
  memory: string;
  ephemeralStorage: string;
  /** Where kwok takes the node's pod addresses from (its spec.podCIDR); kwok's default range without. */
  podCidr?: string;
}

/** The zones of the EKS stacks' default region. */
export const ZONES = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];

/**
 * `count` nodes spread round-robin over the three zones, each large enough for prod's replicas
 * (every pod's requests summed fit on one node, so losing a zone is survivable).
 */
export function simulatedNodes(count = 3, podCidrs: readonly string[] = []): SimulatedNode[] {
  if (podCidrs.length > 0 && podCidrs.length < count)
    throw new Error(`${count} nodes need ${count} pod CIDRs, one each (got ${podCidrs.length})`);
  return Array.from({ length: count }, (_, index) => ({
    name: `node-${index + 1}`,
    zone: ZONES[index % ZONES.length] as string,
    cpu: '16',
    memory: '64Gi',
    ephemeralStorage: '200Gi',
    ...(podCidrs[index] ? { podCidr: podCidrs[index] } : {}),
  }));
}
