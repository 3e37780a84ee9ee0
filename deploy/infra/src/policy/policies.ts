import type { PolicyPackArgs, ResourceValidationPolicy, StackValidationPolicy } from '@pulumi/policy';
import {
  documentDbProtection,
  ecrRepositoryHardening,
  eksControlPlane,
  flowLogsAndRetention,
  interfaceEndpointPrivateDns,
  isolatedRouteTables,
  isolatedStandaloneRoutes,
  noInternetIngress,
  podEniInstanceTypes,
  securityGroupRuleDescriptions,
  TYPES,
  vpcCniConfiguration,
  type ResourceRule,
  type StackResource,
  type StackViolation,
} from './rules';

export const POLICY_PACK_NAME = 'platform-infra';

/** A CrossGuard resource policy that reports every message of `rule` for the listed types. */
function resourcePolicy(
  name: string,
  description: string,
  types: readonly string[],
  rule: ResourceRule,
): ResourceValidationPolicy {
  return {
    name,
    description,
    enforcementLevel: 'mandatory',
    validateResource: (args, reportViolation) => {
      if (!types.includes(args.type)) return;
      for (const message of rule(args.type, args.props, args.name)) reportViolation(message);
    },
  };
}

/** A CrossGuard stack policy over all resources, reporting each violation against its resource. */
function stackPolicy(
  name: string,
  description: string,
  check: (resources: readonly StackResource[]) => StackViolation[],
): StackValidationPolicy {
  return {
    name,
    description,
    enforcementLevel: 'mandatory',
    validateStack: (args, reportViolation) => {
      for (const violation of check(args.resources)) reportViolation(violation.message, violation.urn);
    },
  };
}

const SECURITY_GROUP_TYPES = [
  TYPES.securityGroup,
  TYPES.defaultSecurityGroup,
  TYPES.securityGroupRule,
  TYPES.ingressRule,
  TYPES.egressRule,
];

export const policies: PolicyPackArgs['policies'] = [
  resourcePolicy(
    'no-internet-ingress',
    'No security group admits 0.0.0.0/0 or ::/0, except tcp 80 and 443 on the load balancer group.',
    SECURITY_GROUP_TYPES,
    noInternetIngress,
  ),
  resourcePolicy(
    'security-group-rule-descriptions',
    'Every security group rule has a description.',
    SECURITY_GROUP_TYPES,
    securityGroupRuleDescriptions,
  ),
  resourcePolicy(
    'isolated-route-tables',
    'Database route tables have no routes; private route tables have no internet gateway route.',
    [TYPES.routeTable],
    isolatedRouteTables,
  ),
  stackPolicy(
    'isolated-route-tables-standalone-routes',
    'Routes declared as separate resources obey the tier of their route table.',
    isolatedStandaloneRoutes,
  ),
  resourcePolicy(
    'eks-control-plane',
    'The EKS cluster encrypts secrets, has a private endpoint, never a public one open to the internet, ' +
      'and logs every control-plane log type.',
    [TYPES.eksCluster],
    eksControlPlane,
  ),
  resourcePolicy(
    'vpc-cni-network-policy',
    'The vpc-cni add-on enforces NetworkPolicies, and pod ENIs come with a valid enforcing mode.',
    [TYPES.eksAddon],
    vpcCniConfiguration,
  ),
  stackPolicy(
    'pod-eni-node-instance-types',
    'When the vpc-cni add-on enables pod ENIs, no node group of the cluster uses an instance type without trunk ENI.',
    podEniInstanceTypes,
  ),
  resourcePolicy(
    'flow-logs-and-log-retention',
    'VPC flow logs capture ALL traffic at a 60-second interval; every log group has a retention.',
    [TYPES.flowLog, TYPES.logGroup],
    flowLogsAndRetention,
  ),
  resourcePolicy(
    'documentdb-protection',
    'DocumentDB storage is encrypted, its parameter group requires TLS, and backups are kept.',
    [TYPES.docdbCluster, TYPES.docdbParameterGroup],
    documentDbProtection,
  ),
  resourcePolicy(
    'ecr-repository-hardening',
    'ECR repositories scan images on push and have immutable tags.',
    [TYPES.ecrRepository],
    ecrRepositoryHardening,
  ),
  resourcePolicy(
    'interface-endpoint-private-dns',
    'Interface VPC endpoints have private DNS enabled.',
    [TYPES.vpcEndpoint],
    interfaceEndpointPrivateDns,
  ),
];
