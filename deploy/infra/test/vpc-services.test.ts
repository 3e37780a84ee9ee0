import { VpcEndpoints, INTERFACE_ENDPOINT_SERVICES } from '../src/components/endpoints';
import { FlowLogs } from '../src/components/flowLogs';
import { LIFECYCLE_POLICY, Registry } from '../src/components/registry';
import { Naming } from '../src/naming';
import { DEV, PROD, settings } from './settings';
import { ACCOUNT_ID, REGION, resolve, runPulumi } from './harness';

const ENDPOINT = 'aws:ec2/vpcEndpoint:VpcEndpoint';

describe('VPC endpoints', () => {
  const args = {
    vpcId: 'vpc-0123456789abcdef0',
    subnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'],
    routeTableIds: ['rtb-0aaaaaaaaaaaaaaa1', 'rtb-0aaaaaaaaaaaaaaa2'],
    securityGroupId: 'sg-0eeeeeeeeeeeeeee1',
  };
  const endpoints = (overrides = {}) => {
    const config = settings(PROD, overrides);
    return runPulumi(() => new VpcEndpoints('endpoints', { config, naming: new Naming(config), ...args }));
  };

  test('an S3 gateway on the private route tables and every interface endpoint with private DNS behind the endpoint group', async () => {
    const run = await endpoints();
    const [gateway, ...gateways] = run.ofType(ENDPOINT).filter((e) => e.inputs.vpcEndpointType === 'Gateway');
    expect(gateways).toEqual([]);
    expect(gateway?.inputs).toMatchObject({
      serviceName: `com.amazonaws.${REGION}.s3`,
      routeTableIds: args.routeTableIds,
    });

    const interfaces = run.ofType(ENDPOINT).filter((e) => e.inputs.vpcEndpointType === 'Interface');
    expect(interfaces.map((e) => e.inputs.serviceName)).toEqual(
      [
        'ecr.api',
        'ecr.dkr',
        'sts',
        'ec2',
        'eks',
        'eks-auth',
        'elasticloadbalancing',
        'logs',
        'secretsmanager',
        'ssm',
        'ssmmessages',
        'ec2messages',
      ].map((service) => `com.amazonaws.${REGION}.${service}`),
    );
    for (const endpoint of interfaces) {
      expect(endpoint.inputs).toMatchObject({
        privateDnsEnabled: true,
        subnetIds: args.subnetIds,
        securityGroupIds: [args.securityGroupId],
        vpcId: args.vpcId,
      });
    }
    expect(INTERFACE_ENDPOINT_SERVICES).toHaveLength(12);
  });

  test('interface endpoints can be turned off (with NAT); the S3 gateway stays', async () => {
    const run = await endpoints({ network: { interfaceEndpoints: false } });
    expect(run.ofType(ENDPOINT).map((e) => e.inputs.vpcEndpointType)).toEqual(['Gateway']);
  });
});

describe('flow logs', () => {
  test.each([
    [settings(DEV), 14],
    [settings(PROD, { flowLogRetentionDays: 90 }), 90],
  ])('all traffic, 60-second aggregation, to /vpc/<name>/flow-logs kept %#', async (config, days) => {
    const run = await runPulumi(
      () => new FlowLogs('flow-logs', { config, naming: new Naming(config), vpcId: 'vpc-0123456789abcdef0' }),
    );
    const [group] = run.ofType('aws:cloudwatch/logGroup:LogGroup');
    expect(group?.inputs).toMatchObject({ name: `/vpc/${config.name}/flow-logs`, retentionInDays: days });
    const [flowLog, ...more] = run.ofType('aws:ec2/flowLog:FlowLog');
    expect(more).toEqual([]);
    expect(flowLog?.inputs).toMatchObject({
      vpcId: 'vpc-0123456789abcdef0',
      trafficType: 'ALL',
      maxAggregationInterval: 60,
      logDestinationType: 'cloud-watch-logs',
      logDestination: group?.state.arn,
    });

    const [role] = run.ofType('aws:iam/role:Role');
    const trust = JSON.parse(String(role?.inputs.assumeRolePolicy));
    expect(trust.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT_ID } },
      },
    ]);
    expect(flowLog?.inputs.iamRoleArn).toBe(role?.state.arn);
    const [policy] = run.ofType('aws:iam/rolePolicy:RolePolicy');
    const statements = JSON.parse(String(policy?.inputs.policy)).Statement;
    // Least privilege: writing to this one log group, nothing else (no CreateLogGroup, no wildcard resource).
    expect(statements).toEqual([
      {
        Sid: 'WriteThisLogGroupOnly',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        Resource: [group?.state.arn, `${String(group?.state.arn)}:*`],
      },
    ]);
  });
});

describe('image registry', () => {
  test('one repository per image: scan on push, immutable tags, KMS encryption, a lifecycle policy', async () => {
    const config = settings(PROD);
    const run = await runPulumi(() => new Registry('registry', { config, naming: new Naming(config) }));
    const repositories = run.ofType('aws:ecr/repository:Repository');
    expect(repositories.map((r) => r.inputs.name)).toEqual(
      ['frontend', 'auth', 'items', 'discounts'].map((s) => `platform/${s}`),
    );
    for (const repository of repositories) {
      expect(repository.inputs).toMatchObject({
        imageTagMutability: 'IMMUTABLE',
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfigurations: [{ encryptionType: 'KMS' }],
      });
    }
    const policies = run.ofType('aws:ecr/lifecyclePolicy:LifecyclePolicy');
    expect(policies.map((p) => p.inputs.repository)).toEqual(repositories.map((r) => r.inputs.name));
    for (const policy of policies) expect(JSON.parse(String(policy.inputs.policy))).toEqual(LIFECYCLE_POLICY);
    expect(Object.keys(run.result.repositoryUrls)).toEqual(['frontend', 'auth', 'items', 'discounts']);
    expect(run.result.owned).toBe(true);
    // Deleting the stack never deletes a repository that still holds images.
    for (const repository of repositories) expect(repository.inputs.forceDelete).toBe(false);
  });

  test('a stack that does not own the repositories looks them up and creates nothing', async () => {
    const config = settings(PROD, { registry: { repositoryPrefix: 'team-a/platform', create: false } });
    const run = await runPulumi(() => new Registry('registry', { config, naming: new Naming(config) }));
    expect(run.ofType('aws:ecr/repository:Repository')).toEqual([]);
    expect(run.ofType('aws:ecr/lifecyclePolicy:LifecyclePolicy')).toEqual([]);
    expect(
      run.invokes.filter((i) => i.token === 'aws:ecr/getRepository:getRepository').map((i) => i.inputs.name),
    ).toEqual(['frontend', 'auth', 'items', 'discounts'].map((s) => `team-a/platform/${s}`));
    expect(run.result.owned).toBe(false);
    expect(await resolve(run.result.repositoryUrls.items)).toBe(
      `${ACCOUNT_ID}.dkr.ecr.${REGION}.amazonaws.com/team-a/platform/items`,
    );
  });
});
