import type * as pulumi from '@pulumi/pulumi';
import { CiDeployRole } from './components/ciDeployRole';
import { EksCluster } from './components/cluster';
import { ClusterServices } from './components/clusterServices';
import { DocumentDb } from './components/database';
import { VpcEndpoints } from './components/endpoints';
import { FlowLogs } from './components/flowLogs';
import { Network } from './components/network';
import { Registry } from './components/registry';
import { SecurityGroups, requireDatabaseGroup } from './components/securityGroups';
import type { PlatformConfig } from './config';
import { Naming } from './naming';
import { SERVICES, type Service } from './services';

/** Files the program reads, passed in so that tests need no file system. */
export interface PlatformFiles {
  /** The RDS CA bundle (PEM), when the database is DocumentDB. */
  caBundlePem?: string;
}

/** The stack outputs: what the chart (scripts/write-values) and the pipeline read. */
export interface PlatformOutputs {
  clusterName: pulumi.Output<string>;
  clusterEndpoint: pulumi.Output<string>;
  region: pulumi.Output<string>;
  vpcId: pulumi.Output<string>;
  vpcCidr: pulumi.Output<string>;
  privateSubnetIds: pulumi.Output<string[]>;
  databaseSubnetCidrs: pulumi.Output<string[]>;
  loadBalancerSubnetCidrs: pulumi.Output<string[]>;
  imageRepositories: Record<Service, pulumi.Output<string>>;
  /** Per service, the groups its SecurityGroupPolicy lists; absent when pods use the node group. */
  podSecurityGroupIds: Record<Service, pulumi.Output<string[]>> | undefined;
  /** Every security group's id by its name in the network model (npm run network-model -- --outputs). */
  securityGroupIds: Record<string, pulumi.Output<string>>;
  database:
    | {
        engine: 'documentdb';
        endpoint: pulumi.Output<string>;
        port: number;
        secretArn: pulumi.Output<string>;
        /** Kubernetes Secret in each app namespace with one `<service>-mongo-url` key per API service. */
        kubernetesSecret: string;
        caBundleConfigMap: string;
      }
    | { engine: 'inCluster' };
  ciDeployRoleArn: pulumi.Output<string> | undefined;
  environments: string[];
  appNamespaces: string[];
  ingressHost: string;
  grafanaUrl: string;
  prometheusUrl: string;
  /** Grafana's `admin` password and Prometheus's basic-auth password (user `prometheus`); secret outputs. */
  grafanaAdminPassword: pulumi.Output<string>;
  prometheusPassword: pulumi.Output<string>;
  containerLogGroup: pulumi.Output<string>;
  clusterIssuer: string;
}

/** Declares the whole stack from validated settings, in dependency order. */
export function createPlatform(config: PlatformConfig, files: PlatformFiles = {}): PlatformOutputs {
  const naming = new Naming(config);

  const network = new Network(naming.name('network'), { config, naming });
  const securityGroups = new SecurityGroups(naming.name('security-groups'), {
    config,
    naming,
    vpcId: network.vpcId,
    vpcCidr: network.vpcCidr,
  });
  const endpoints = new VpcEndpoints(naming.name('endpoints'), {
    config,
    naming,
    vpcId: network.vpcId,
    subnetIds: network.privateSubnetIds,
    routeTableIds: network.privateRouteTableIds,
    securityGroupId: securityGroups.endpoints,
  });
  new FlowLogs(naming.name('flow-logs'), { config, naming, vpcId: network.vpcId });
  const registry = new Registry(naming.name('registry'), { config, naming });

  const cluster = new EksCluster(
    naming.name('cluster'),
    {
      config,
      naming,
      privateSubnetIds: network.privateSubnetIds,
      clusterSecurityGroupId: securityGroups.cluster,
      nodeSecurityGroupId: securityGroups.nodes,
    },
    // Private nodes without NAT pull images and join the cluster through the endpoints.
    { dependsOn: [endpoints] },
  );

  const database =
    config.database.engine === 'documentdb'
      ? new DocumentDb(naming.name('database'), {
          config,
          naming,
          subnetIds: network.databaseSubnetIds,
          securityGroupId: requireDatabaseGroup(securityGroups),
        })
      : undefined;

  const ciRole = config.ci
    ? new CiDeployRole(naming.name('ci'), {
        config,
        ci: config.ci,
        naming,
        cluster,
        repositoryArns: registry.owned ? SERVICES.map((service) => registry.repositoryArns[service]) : [],
      })
    : undefined;

  const services = new ClusterServices(naming.name('services'), {
    config,
    naming,
    cluster,
    network,
    securityGroups,
    database,
    caBundlePem: files.caBundlePem,
  });

  return {
    clusterName: cluster.name,
    clusterEndpoint: cluster.endpoint,
    region: endpoints.region,
    vpcId: network.vpcId,
    vpcCidr: network.vpcCidr,
    privateSubnetIds: network.privateSubnetIds,
    databaseSubnetCidrs: network.databaseSubnetCidrs,
    loadBalancerSubnetCidrs: network.loadBalancerSubnetCidrs,
    imageRepositories: registry.repositoryUrls,
    podSecurityGroupIds: securityGroups.podGroupIds,
    securityGroupIds: securityGroups.ids,
    database: database
      ? {
          engine: 'documentdb',
          endpoint: database.endpoint,
          port: database.port,
          secretArn: database.secretArn,
          kubernetesSecret: services.databaseSecretName,
          caBundleConfigMap: services.caBundleConfigMapName,
        }
      : { engine: 'inCluster' },
    ciDeployRoleArn: ciRole?.roleArn,
    environments: config.environments,
    appNamespaces: services.appNamespaces,
    ingressHost: config.ingress.host,
    grafanaUrl: `https://${config.ingress.grafanaHost}`,
    prometheusUrl: `https://${config.ingress.prometheusHost}`,
    grafanaAdminPassword: services.grafanaAdminPassword,
    prometheusPassword: services.prometheusPassword,
    containerLogGroup: services.containerLogGroup,
    clusterIssuer: services.clusterIssuer,
  };
}
