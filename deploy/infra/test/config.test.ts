import { InfraConfigError, parseConfig, supportsPodSecurityGroups } from '../src/config';
import { DEV, PROD, settings } from './settings';

function problemsOf(build: () => unknown): string[] {
  try {
    build();
  } catch (error) {
    if (error instanceof InfraConfigError) return error.problems;
    throw error;
  }
  throw new Error('the settings were accepted');
}

test('defaults: the CIDRs of the chart values and the flow-contract cluster model', () => {
  const config = settings(PROD);
  expect(config.network).toMatchObject({
    vpcCidr: '10.0.0.0/16',
    privateSubnetCidrs: ['10.0.10.0/24', '10.0.20.0/24', '10.0.30.0/24'],
    databaseSubnetCidrs: ['10.0.100.0/24', '10.0.200.0/24', '10.0.210.0/24'],
    interfaceEndpoints: true,
  });
  expect(config.flowLogRetentionDays).toBe(14);
  expect(config.cluster.publicEndpoint).toBe(false);
  expect(config.cluster.logTypes).toHaveLength(5);
  expect(config.podSecurityGroups.enforcingMode).toBe('standard');
});

describe('rejected combinations, each with a message naming the key and the way out', () => {
  test.each([
    [
      'burstable instances with pod security groups',
      { cluster: { nodeGroups: [{ name: 'general', instanceTypes: ['m6i.large', 't3.large'] }] } },
      /cluster\.nodeGroups\.0\.instanceTypes: t3\.large cannot carry security groups for pods \(no trunk ENI\)/,
    ],
    [
      'HTTP-01 without any route to the internet',
      { network: { natMode: 'none' } },
      /tls\.challenge: http01 needs outbound internet .* network\.natMode is none; use dns01 with tls\.route53ZoneId, or natMode single\/perAz/,
    ],
    [
      'HTTP-01 behind an internal load balancer',
      { ingress: { public: false } },
      /tls\.challenge: http01 needs Let's Encrypt to reach the ingress/,
    ],
    [
      'DNS-01 without a hosted zone',
      { tls: { challenge: 'dns01' } },
      /tls\.route53ZoneId: required by the dns01 challenge/,
    ],
    [
      'a public API endpoint open to the internet',
      { cluster: { publicEndpoint: true, publicEndpointCidrs: ['0.0.0.0/0'] } },
      /cluster\.publicEndpointCidrs: 0\.0\.0\.0\/0 would open the API server/,
    ],
    [
      'a public API endpoint without CIDRs',
      { cluster: { publicEndpoint: true } },
      /cluster\.publicEndpointCidrs: list the CIDRs/,
    ],
    [
      'a VPC CNI too old to enforce NetworkPolicies',
      { cluster: { addons: { vpcCni: 'v1.13.4-eksbuild.1' } } },
      /cluster\.addons\.vpcCni: v1\.13\.4-eksbuild\.1 cannot enforce NetworkPolicies/,
    ],
    [
      'a subnet outside the VPC',
      { network: { privateSubnetCidrs: ['10.0.10.0/24', '10.0.20.0/24', '10.1.30.0/24'] } },
      /network\.privateSubnetCidrs: 10\.1\.30\.0\/24 is outside the VPC 10\.0\.0\.0\/16/,
    ],
    [
      'overlapping subnets',
      { network: { databaseSubnetCidrs: ['10.0.100.0/24', '10.0.200.0/24', '10.0.10.0/25'] } },
      /network\.databaseSubnetCidrs: 10\.0\.10\.0\/25 overlaps 10\.0\.10\.0\/24 \(privateSubnetCidrs\)/,
    ],
    [
      'too few subnets for the zones',
      { network: { privateSubnetCidrs: ['10.0.10.0/24', '10.0.20.0/24'] } },
      /network\.privateSubnetCidrs: 3 zones need 3 CIDRs, got 2/,
    ],
    [
      'DocumentDB without the CA bundle',
      { database: { caBundleFile: undefined } },
      /database\.caBundleFile: required for DocumentDB/,
    ],
    [
      'no NAT and no interface endpoints',
      {
        network: { natMode: 'none', interfaceEndpoints: false },
        tls: { challenge: 'dns01', route53ZoneId: 'Z0123456789ABC' },
      },
      /network\.interfaceEndpoints: must be true when natMode is none/,
    ],
    [
      'an existing VPC without public subnets for a public load balancer',
      {
        network: {
          existing: {
            vpcId: 'vpc-0123456789abcdef0',
            privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'],
          },
        },
      },
      /network\.existing\.publicSubnetIds: required when ingress\.public is true/,
    ],
    [
      'a CIDR with host bits set',
      { network: { vpcCidr: '10.0.0.1/16' } },
      /network\.vpcCidr: must be an IPv4 CIDR with its host bits clear/,
    ],
    ['an unknown key', { network: { natGateways: 2 } }, /network: Unrecognized key: "natGateways"/],
    [
      'a log retention CloudWatch refuses',
      { flowLogRetentionDays: 10 },
      /flowLogRetentionDays: must be one of 1, 3, 5, 7, 14/,
    ],
  ])('%s', (_what, overrides, message) => {
    const problems = problemsOf(() => settings(PROD, overrides));
    expect(problems.join('\n')).toMatch(message);
  });

  test('every problem is reported at once, under the platform: namespace', () => {
    const build = () =>
      settings(PROD, {
        network: { natMode: 'none' },
        cluster: { nodeGroups: [{ name: 'burst', instanceTypes: ['t3.medium'] }] },
      });
    expect(problemsOf(build)).toHaveLength(2);
    expect(build).toThrow(/invalid stack configuration:\n {2}- platform:cluster\.nodeGroups/);
  });

  test('required keys are named', () => {
    expect(problemsOf(() => parseConfig({})).sort()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^name: /),
        expect.stringMatching(/^environment: /),
        expect.stringMatching(/^environments: /),
        expect.stringMatching(/^ingress: /),
        expect.stringMatching(/^tls: /),
      ]),
    );
  });
});

test('burstable instances are fine without pod security groups', () => {
  expect(settings(DEV).cluster.nodeGroups[0]?.instanceTypes).toEqual(['t3.large']);
});

test.each([
  ['m6i.large', true],
  ['c7g.xlarge', true],
  ['r6g.2xlarge', true],
  ['t3.large', false],
  ['t4g.medium', false],
  ['t2.micro', false],
  ['m4.large', false],
  ['i3.metal', true],
])('trunk ENI support of %s: %s', (type, supported) => {
  expect(supportsPodSecurityGroups(type)).toBe(supported);
});
