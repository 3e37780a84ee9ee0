import { networkModel } from '../src/networkModel';
import { createPlatform, type PlatformOutputs } from '../src/platform';
import { DEV, PROD, settings } from './settings';
import { isSecret, resolve, runPulumi, type PulumiRun } from './harness';

const CA_BUNDLE = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

/** Both stacks as the tests declare them, once per file: the whole program under mocks. */
let dev: PulumiRun<PlatformOutputs>;
let prod: PulumiRun<PlatformOutputs>;
beforeAll(async () => {
  dev = await runPulumi(() => createPlatform(settings(DEV)), { stack: 'dev' });
  prod = await runPulumi(() => createPlatform(settings(PROD), { caBundlePem: CA_BUNDLE }), { stack: 'prod' });
});

const count = (run: PulumiRun<PlatformOutputs>, type: string) => run.ofType(type).length;

test('each stack declares its whole inventory: network, groups, endpoints, cluster, add-ons, services', () => {
  for (const run of [dev, prod]) {
    for (const type of [
      'aws:ec2/vpc:Vpc',
      'aws:ec2/flowLog:FlowLog',
      'aws:eks/cluster:Cluster',
      'aws:eks/nodeGroup:NodeGroup',
      'aws:eks/addon:Addon',
      'aws:iam/openIdConnectProvider:OpenIdConnectProvider',
      'aws:kms/key:Key',
      'aws:ecr/repository:Repository',
      'kubernetes:helm.sh/v3:Release',
      'kubernetes:networking.k8s.io/v1:NetworkPolicy',
    ]) {
      expect([type, count(run, type)]).not.toEqual([type, 0]);
    }
    expect(count(run, 'aws:ec2/vpcEndpoint:VpcEndpoint')).toBe(13);
    expect(count(run, 'aws:ecr/repository:Repository')).toBe(4);
  }
});

test.each([
  ['NAT gateways', 'aws:ec2/natGateway:NatGateway', 1, 3],
  ['private subnets + database subnets + public subnets', 'aws:ec2/subnet:Subnet', 6, 9],
  ['DocumentDB clusters', 'aws:docdb/cluster:Cluster', 0, 1],
  ['DocumentDB instances', 'aws:docdb/clusterInstance:ClusterInstance', 0, 3],
  ['CI deploy roles (GitHub OIDC providers)', 'aws:iam/openIdConnectProvider:OpenIdConnectProvider', 1, 2],
])('dev vs prod: %s', (_what, type, inDev, inProd) => {
  expect([count(dev, type), count(prod, type)]).toEqual([inDev, inProd]);
});

test('dev vs prod: pod security groups exist only in prod, one per service plus DNS', async () => {
  expect(dev.result.podSecurityGroupIds).toBeUndefined();
  const ids = prod.result.podSecurityGroupIds;
  expect(Object.keys(ids ?? {})).toEqual(['frontend', 'auth', 'items', 'discounts']);
  for (const groups of Object.values(ids ?? {})) expect(await resolve(groups)).toHaveLength(2);
  expect(
    count(prod, 'aws:ec2/securityGroup:SecurityGroup') - count(dev, 'aws:ec2/securityGroup:SecurityGroup'),
  ).toBe(6);
});

test("every security group's id is an output, by the name the network model gives it", async () => {
  const ids = prod.result.securityGroupIds;
  const names = networkModel(settings(PROD), 'prod').securityGroups.map((group) => group.name);
  expect(Object.keys(ids).sort()).toEqual([...names].sort());
  // The ids a service's SecurityGroupPolicy lists are its own group's and the DNS group's.
  const resolved = async (name: string) => resolve(ids[name] as NonNullable<(typeof ids)[string]>);
  const auth = prod.result.podSecurityGroupIds?.auth;
  expect(auth && (await resolve(auth))).toEqual([await resolved('pod-auth'), await resolved('podDns')]);
});

test('dev vs prod: the VPC CNI enforces NetworkPolicies in both, pod ENIs only in prod', () => {
  const cni = (run: PulumiRun<PlatformOutputs>) => {
    const addon = run.ofType('aws:eks/addon:Addon').find((a) => a.inputs.addonName === 'vpc-cni');
    return JSON.parse(String(addon?.inputs.configurationValues));
  };
  expect(cni(dev).enableNetworkPolicy).toBe('true');
  expect(cni(prod).enableNetworkPolicy).toBe('true');
  expect(cni(dev).env?.ENABLE_POD_ENI).toBeUndefined();
  expect(cni(prod).env).toMatchObject({
    ENABLE_POD_ENI: 'true',
    POD_SECURITY_GROUP_ENFORCING_MODE: 'standard',
  });
});

test('no security group anywhere in the stack admits 0.0.0.0/0 but the load balancer on 80/443', () => {
  for (const run of [dev, prod]) {
    const open = run
      .ofType('aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule')
      .filter((rule) => rule.inputs.cidrIpv4 === '0.0.0.0/0' || rule.inputs.cidrIpv6 === '::/0');
    expect(open.map((rule) => rule.inputs.fromPort).sort()).toEqual([443, 80]);
    for (const rule of open) expect(rule.name).toContain('-load-balancer-in-');
  }
});

test('outputs: what the chart and the pipeline need, and nothing secret in the clear', async () => {
  const outputs = prod.result;
  expect(await resolve(outputs.clusterName)).toBe('platform-prod');
  expect(await resolve(outputs.databaseSubnetCidrs)).toEqual([
    '10.0.100.0/24',
    '10.0.200.0/24',
    '10.0.210.0/24',
  ]);
  expect(await resolve(outputs.imageRepositories.auth)).toMatch(
    /\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/platform\/auth$/,
  );
  expect(outputs.database.engine).toBe('documentdb');
  expect(outputs.ciDeployRoleArn && (await resolve(outputs.ciDeployRoleArn))).toMatch(
    /^arn:aws:iam::\d{12}:role\//,
  );
  expect(dev.result.database).toEqual({ engine: 'inCluster' });
  expect(dev.result.ciDeployRoleArn).toBeUndefined();

  // Any output that carries a password is a secret output: encrypted in the state, masked by the CLI.
  const withPasswords: string[] = [];
  for (const [key, value] of Object.entries(outputs)) {
    if (!JSON.stringify(await resolve(value as Parameters<typeof resolve>[0])).includes('mock-password'))
      continue;
    withPasswords.push(key);
    expect([key, await isSecret(value as Parameters<typeof isSecret>[0])]).toEqual([key, true]);
  }
  expect(withPasswords).toEqual(['grafanaAdminPassword', 'prometheusPassword']);
});

test('database credentials: in Secrets Manager and in one Kubernetes Secret per app namespace', () => {
  const secretVersions = prod.ofType('aws:secretsmanager/secretVersion:SecretVersion');
  expect(secretVersions.length).toBeGreaterThan(0);
  const kubernetesSecrets = prod
    .ofType('kubernetes:core/v1:Secret')
    .filter((s) => s.name.includes('database'));
  expect(kubernetesSecrets.length).toBeGreaterThan(0);
  for (const secret of kubernetesSecrets) {
    expect(JSON.stringify(secret.inputs)).toMatch(/tls=true.*replicaSet=rs0.*retryWrites=false/);
  }
});
