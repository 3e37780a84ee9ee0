import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICES } from '@platform/infra/dist/services';
import { chartValues, parseInfraOutputs, valuesYaml } from '@platform/infra/dist/scripts/write-values';
import { stackNetworkModel } from '../src';

/** The registry of the made-up stacks' image repositories. */
export const REGISTRY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

/** A group id as AWS gives them, and never the placeholder the stack's network model gives the group. */
const deployedId = (stack: string, name: string) =>
  `sg-0${createHash('sha256').update(`deployed ${stack}/${name}`).digest('hex').slice(0, 16)}`;

/**
 * `pulumi stack output --json` of the stack of `environment` as if it had been deployed, made up
 * from its configuration (its network model): the subnets the stack file declares, and
 * deployed-looking security group ids, the pods' among them, in place of the placeholders.
 */
export function standInOutputs(environment: string) {
  const model = stackNetworkModel(environment);
  const securityGroupIds = Object.fromEntries(
    model.securityGroups.map((group) => [group.name, deployedId(environment, group.name)]),
  );
  const podGroups = Object.entries(model.podGroups);
  return {
    clusterName: `platform-${environment}`,
    region: 'eu-west-1',
    vpcCidr: model.vpc.cidr,
    databaseSubnetCidrs: model.databaseCidrs,
    loadBalancerSubnetCidrs: model.loadBalancer.subnets,
    imageRepositories: Object.fromEntries(
      SERVICES.map((service) => [service, `${REGISTRY}/platform/${service}`]),
    ),
    // A stack without pod security groups has no such output (write-values then turns them off).
    ...(podGroups.length > 0
      ? {
          podSecurityGroupIds: Object.fromEntries(
            podGroups.map(([service, names]) => [service, names.map((name) => securityGroupIds[name])]),
          ),
        }
      : {}),
    securityGroupIds,
    database: {
      engine: 'documentdb',
      kubernetesSecret: 'platform-database',
      caBundleConfigMap: 'rds-ca-bundle',
    },
    environments: [environment],
    appNamespaces: [`platform-${environment}`],
    ingressHost: `platform.${environment}.example.test`,
    clusterIssuer: 'letsencrypt',
  };
}

export type StandInOutputs = ReturnType<typeof standInOutputs>;

/**
 * The stand-in outputs of `environment`'s stack (`<environment>-outputs.json`) and the values
 * write-values makes of them (`infra-<environment>.yaml`), in `dir`.
 */
export function writeInfraValues(
  dir: string,
  environment: string,
): { outputs: StandInOutputs; outputsFile: string; valuesFile: string } {
  const outputs = standInOutputs(environment);
  const outputsFile = join(dir, `${environment}-outputs.json`);
  writeFileSync(outputsFile, `${JSON.stringify(outputs, null, 2)}\n`);
  const valuesFile = join(dir, `infra-${environment}.yaml`);
  writeFileSync(
    valuesFile,
    valuesYaml(chartValues(parseInfraOutputs(outputs), { environment }), environment),
  );
  return { outputs, outputsFile, valuesFile };
}
