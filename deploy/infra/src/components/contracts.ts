import type * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';

/** An IAM role for a Kubernetes service account (IRSA): who may assume it, and what it may do. */
export interface ServiceAccountRoleArgs {
  namespace: string;
  serviceAccount: string;
  managedPolicyArns?: string[];
  /** An inline policy document (JSON). */
  policy?: pulumi.Input<string>;
}

/** What the cluster's consumers (add-ons, cluster services, the CI role) need of it. */
export interface KubernetesCluster {
  name: pulumi.Output<string>;
  arn: pulumi.Output<string>;
  endpoint: pulumi.Output<string>;
  certificateAuthorityData: pulumi.Output<string>;
  oidcProviderArn: pulumi.Output<string>;
  /** The OIDC issuer without its https:// scheme, as IAM condition keys spell it. */
  oidcIssuer: pulumi.Output<string>;
  /** A kubeconfig that authenticates with `aws eks get-token`. */
  kubeconfig: pulumi.Output<string>;
  /** Node groups and add-ons: workloads are deployed only once these exist. */
  workloadsReady: pulumi.Resource[];
  serviceAccountRole(name: string, args: ServiceAccountRoleArgs): aws.iam.Role;
}

/** The groups the cluster services refer to (the load balancer's, for the ingress NLB). */
export interface EdgeSecurityGroups {
  loadBalancer: pulumi.Output<string>;
  nodes: pulumi.Output<string>;
}

/** The network facts the cluster services need. */
export interface ClusterNetwork {
  vpcCidr: pulumi.Output<string>;
  /** Where the load balancer's nodes live: their addresses reach the ingress controller pods. */
  loadBalancerSubnetCidrs: pulumi.Output<string[]>;
  publicSubnetIds: pulumi.Output<string[]>;
  privateSubnetIds: pulumi.Output<string[]>;
}

/** A managed database reachable from the API services. */
export interface DatabaseEndpoint {
  endpoint: pulumi.Output<string>;
  port: number;
  secretArn: pulumi.Output<string>;
  /** A connection string for one logical database (marked secret). */
  connectionUrl(database: string): pulumi.Output<string>;
}
