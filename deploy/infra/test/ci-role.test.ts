import * as pulumi from '@pulumi/pulumi';
import { CiDeployRole, DEPLOYER_GROUP, ECR_PUSH_PULL_ACTIONS } from '../src/components/ciDeployRole';
import type { KubernetesCluster } from '../src/components/contracts';
import type { PlatformConfig } from '../src/config';
import { Naming } from '../src/naming';
import { ACCOUNT_ID, REGION, resolve, runPulumi, type PulumiRun } from './harness';
import { PROD, settings } from './settings';

const ROLE = 'aws:iam/role:Role';
const OIDC = 'aws:iam/openIdConnectProvider:OpenIdConnectProvider';
const ROLE_POLICY = 'aws:iam/rolePolicy:RolePolicy';
const ACCESS_ENTRY = 'aws:eks/accessEntry:AccessEntry';

const CLUSTER_ARN = `arn:aws:eks:${REGION}:${ACCOUNT_ID}:cluster/platform-prod`;
const REPOSITORY_ARNS = ['auth', 'items', 'discounts', 'frontend'].map(
  (service) => `arn:aws:ecr:${REGION}:${ACCOUNT_ID}:repository/platform-prod/${service}`,
);
const GITHUB_PROVIDER = `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com`;

/** The cluster as the CI role sees it: only its name and ARN matter here. */
const cluster: KubernetesCluster = {
  name: pulumi.output('platform-prod'),
  arn: pulumi.output(CLUSTER_ARN),
  endpoint: pulumi.output('https://ABCDEF.gr7.eu-west-1.eks.amazonaws.com'),
  certificateAuthorityData: pulumi.output('Y2E='),
  oidcProviderArn: pulumi.output(
    `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/oidc.eks.${REGION}.amazonaws.com/id/ABCDEF`,
  ),
  oidcIssuer: pulumi.output(`oidc.eks.${REGION}.amazonaws.com/id/ABCDEF`),
  kubeconfig: pulumi.output('{}'),
  workloadsReady: [],
  serviceAccountRole() {
    throw new Error('the CI role needs no service account role');
  },
};

function ciRole(config: PlatformConfig, repositoryArns = REPOSITORY_ARNS): Promise<PulumiRun<CiDeployRole>> {
  const naming = new Naming(config);
  const ci = config.ci;
  if (!ci) throw new Error('these tests need ci settings');
  return runPulumi(
    () =>
      new CiDeployRole(naming.name('ci'), {
        config,
        ci,
        naming,
        cluster,
        repositoryArns: repositoryArns.map((arn) => pulumi.output(arn)),
      }),
  );
}

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: string | string[];
  Principal?: Record<string, string>;
  Condition?: Record<string, Record<string, string | string[]>>;
}
const statements = (text: unknown) => (JSON.parse(String(text)) as { Statement: Statement[] }).Statement;

describe('CiDeployRole', () => {
  let run: PulumiRun<CiDeployRole>;
  beforeAll(async () => {
    run = await ciRole(
      settings(PROD, {
        ci: { githubRepository: 'example-org/platform', githubEnvironments: ['staging', 'prod'] },
      }),
    );
  });

  test('creates the GitHub OIDC provider for STS when none is given', () => {
    const providers = run.ofType(OIDC);
    expect(providers).toHaveLength(1);
    expect(providers[0]?.inputs).toMatchObject({
      url: 'https://token.actions.githubusercontent.com',
      clientIdLists: ['sts.amazonaws.com'],
    });
  });

  test('is assumable only by workflows of the repository on main or in its environments', () => {
    const roles = run.ofType(ROLE);
    expect(roles).toHaveLength(1);
    expect(statements(roles[0]?.inputs.assumeRolePolicy)).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRoleWithWebIdentity',
        Principal: { Federated: run.ofType(OIDC)[0]?.state.arn },
        Condition: {
          StringEquals: {
            'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
            'token.actions.githubusercontent.com:sub': [
              'repo:example-org/platform:ref:refs/heads/main',
              'repo:example-org/platform:environment:staging',
              'repo:example-org/platform:environment:prod',
            ],
          },
        },
      },
    ]);
  });

  test('may log in to the registry, push and pull only the platform images, and find only this cluster', () => {
    const policies = run.ofType(ROLE_POLICY);
    expect(policies).toHaveLength(1);
    expect(policies[0]?.inputs.role).toBe(run.ofType(ROLE)[0]?.state.name);
    const granted = statements(policies[0]?.inputs.policy);
    expect(granted).toEqual([
      { Sid: 'RegistryLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      {
        Sid: 'PushPullPlatformImages',
        Effect: 'Allow',
        Action: ECR_PUSH_PULL_ACTIONS,
        Resource: REPOSITORY_ARNS,
      },
      { Sid: 'FindCluster', Effect: 'Allow', Action: 'eks:DescribeCluster', Resource: CLUSTER_ARN },
    ]);
    const actions = granted.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
    expect(actions.filter((action) => /Delete|Policy|Lifecycle|CreateRepository/.test(action))).toEqual([]);
    // The only unscoped statement is the registry login, which IAM cannot scope.
    expect(granted.filter((s) => s.Resource === '*').map((s) => s.Action)).toEqual([
      'ecr:GetAuthorizationToken',
    ]);
  });

  test('enters the cluster only as a member of the deployers group', () => {
    const entries = run.ofType(ACCESS_ENTRY);
    expect(entries).toHaveLength(1);
    expect(entries[0]?.inputs).toMatchObject({
      clusterName: 'platform-prod',
      principalArn: run.ofType(ROLE)[0]?.state.arn,
      type: 'STANDARD',
      kubernetesGroups: [DEPLOYER_GROUP],
    });
    expect(DEPLOYER_GROUP).toBe('platform-deployers');
    expect(run.ofType('aws:eks/accessPolicyAssociation:AccessPolicyAssociation')).toEqual([]);
  });

  test('exposes the role ARN', async () => {
    expect(await resolve(run.result.roleArn)).toBe(run.ofType(ROLE)[0]?.state.arn);
  });

  test('trusts an existing account-wide GitHub provider instead of creating one', async () => {
    const existing = await ciRole(
      settings(PROD, {
        ci: {
          githubRepository: 'example-org/platform',
          githubEnvironments: ['prod'],
          githubOidcProviderArn: GITHUB_PROVIDER,
        },
      }),
    );
    expect(existing.ofType(OIDC)).toEqual([]);
    const trust = statements(existing.ofType(ROLE)[0]?.inputs.assumeRolePolicy);
    expect(trust[0]?.Principal).toEqual({ Federated: GITHUB_PROVIDER });
    expect(trust[0]?.Condition?.StringEquals?.['token.actions.githubusercontent.com:sub']).toEqual([
      'repo:example-org/platform:ref:refs/heads/main',
      'repo:example-org/platform:environment:prod',
    ]);
  });

  test('finds the account-wide GitHub provider by its URL when told it exists', async () => {
    const existing = await ciRole(
      settings(PROD, {
        ci: {
          githubRepository: 'example-org/platform',
          githubEnvironments: ['prod'],
          githubOidcProvider: 'existing',
        },
      }),
    );
    expect(existing.ofType(OIDC)).toEqual([]);
    expect(
      existing.invokes.filter((i) => i.token === 'aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider'),
    ).toEqual([
      {
        token: 'aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider',
        inputs: { url: 'https://token.actions.githubusercontent.com' },
      },
    ]);
    const trust = statements(existing.ofType(ROLE)[0]?.inputs.assumeRolePolicy);
    expect(trust[0]?.Principal).toEqual({ Federated: GITHUB_PROVIDER });
  });

  test('gets no registry access in a stack that does not own the repositories', async () => {
    const deployOnly = await ciRole(settings(PROD), []);
    expect(statements(deployOnly.ofType(ROLE_POLICY)[0]?.inputs.policy)).toEqual([
      { Sid: 'FindCluster', Effect: 'Allow', Action: 'eks:DescribeCluster', Resource: CLUSTER_ARN },
    ]);
  });
});
