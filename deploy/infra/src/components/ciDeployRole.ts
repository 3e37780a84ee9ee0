import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { PlatformConfig } from '../config';
import type { Naming } from '../naming';
import type { KubernetesCluster } from './contracts';
import { policyDocument } from './iam';

/** The Kubernetes group the deploy role is mapped to; its Role and RoleBinding live in the app namespaces. */
export const DEPLOYER_GROUP = 'platform-deployers';

export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
const STS_AUDIENCE = 'sts.amazonaws.com';

/** Image push and pull, nothing else (no repository or lifecycle changes). */
export const ECR_PUSH_PULL_ACTIONS = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
  'ecr:InitiateLayerUpload',
  'ecr:UploadLayerPart',
  'ecr:CompleteLayerUpload',
  'ecr:PutImage',
  'ecr:DescribeImages',
];

export interface CiDeployRoleArgs {
  config: PlatformConfig;
  ci: NonNullable<PlatformConfig['ci']>;
  naming: Naming;
  cluster: KubernetesCluster;
  /** Repositories the role pushes to: those this stack owns, none when it only looks them up. */
  repositoryArns: pulumi.Output<string>[];
}

/** The OIDC subjects GitHub issues for the main branch and for jobs in the given environments. */
export function githubSubjects(ci: NonNullable<PlatformConfig['ci']>): string[] {
  const repository = `repo:${ci.githubRepository}`;
  return [
    `${repository}:ref:refs/heads/main`,
    ...ci.githubEnvironments.map((env) => `${repository}:environment:${env}`),
  ];
}

/**
 * The role GitHub Actions assumes to deploy: only workflows of one repository, on main or in the
 * listed environments, may assume it; it may push images to the platform's repositories (when this
 * stack owns them) and find the cluster, and inside the cluster it is only a member of the deployers group.
 */
export class CiDeployRole extends pulumi.ComponentResource {
  readonly roleArn: pulumi.Output<string>;
  readonly githubOidcProviderArn: pulumi.Output<string>;

  constructor(name: string, args: CiDeployRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super('platform:infra:CiDeployRole', name, {}, opts);
    const { ci, naming, cluster } = args;
    const parent = { parent: this };

    this.githubOidcProviderArn = ci.githubOidcProviderArn
      ? pulumi.output(ci.githubOidcProviderArn)
      : ci.githubOidcProvider === 'existing'
        ? aws.iam.getOpenIdConnectProviderOutput({ url: `https://${GITHUB_OIDC_HOST}` }, parent).arn
        : new aws.iam.OpenIdConnectProvider(
            naming.name('github-oidc'),
            {
              url: `https://${GITHUB_OIDC_HOST}`,
              clientIdLists: [STS_AUDIENCE],
              tags: naming.tags('github-oidc'),
            },
            parent,
          ).arn;

    const role = new aws.iam.Role(
      naming.name('ci-deploy'),
      {
        description: `Deploys ${naming.prefix} from GitHub Actions of ${ci.githubRepository}`,
        assumeRolePolicy: policyDocument([
          {
            Action: 'sts:AssumeRoleWithWebIdentity',
            Principal: { Federated: this.githubOidcProviderArn },
            Condition: {
              StringEquals: {
                [`${GITHUB_OIDC_HOST}:aud`]: STS_AUDIENCE,
                [`${GITHUB_OIDC_HOST}:sub`]: githubSubjects(ci),
              },
            },
          },
        ]),
        maxSessionDuration: 3600,
        tags: naming.tags('ci-deploy'),
      },
      parent,
    );

    new aws.iam.RolePolicy(
      naming.name('ci-deploy-permissions'),
      {
        role: role.name,
        policy: policyDocument([
          ...(args.repositoryArns.length > 0
            ? [
                // Registry logins are account-wide: the token action has no resource to scope to.
                { Sid: 'RegistryLogin', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
                {
                  Sid: 'PushPullPlatformImages',
                  Action: ECR_PUSH_PULL_ACTIONS,
                  Resource: args.repositoryArns,
                },
              ]
            : []),
          { Sid: 'FindCluster', Action: 'eks:DescribeCluster', Resource: cluster.arn },
        ]),
      },
      parent,
    );

    new aws.eks.AccessEntry(
      naming.name('ci-deploy-access'),
      {
        clusterName: cluster.name,
        principalArn: role.arn,
        type: 'STANDARD',
        kubernetesGroups: [DEPLOYER_GROUP],
        tags: naming.tags('ci-deploy-access'),
      },
      parent,
    );

    this.roleArn = role.arn;
    this.registerOutputs({ roleArn: this.roleArn });
  }
}
