import { createHash } from 'node:crypto';
import * as pulumi from '@pulumi/pulumi';

/**
 * Runs Pulumi code under `pulumi.runtime.setMocks`: no CLI, no cloud. Every resource registration is
 * recorded with its inputs, every invoke must have a canned answer below (an unanswered one is
 * recorded and fails the run), and the run waits until registration has settled, so a test sees
 * everything the program declared.
 */

export const ACCOUNT_ID = '123456789012';
export const REGION = 'eu-west-1';
export const ZONES = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
export const EXISTING_VPC_CIDR = '10.50.0.0/16';
/** The VPC every looked-up subnet belongs to. */
export const EXISTING_VPC_ID = 'vpc-0e1e1e1e1e1e1e1e1';

export interface RegisteredResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  /** The mock's answer: inputs plus computed outputs such as id, arn or endpoint. */
  state: Record<string, unknown>;
  id: string;
}

export interface Invocation {
  token: string;
  inputs: Record<string, unknown>;
}

export interface PulumiRun<T> {
  resources: RegisteredResource[];
  invokes: Invocation[];
  /** The value the code under test returned (resolve its outputs with `resolve`). */
  result: T;
  ofType(type: string): RegisteredResource[];
  named(type: string, name: string): RegisteredResource;
}

type CannedAnswer = (inputs: Record<string, unknown>) => Record<string, unknown>;

/** Every invoke the program makes, with a fixed answer. */
const CANNED_INVOKES: Record<string, CannedAnswer> = {
  'aws:index/getAvailabilityZones:getAvailabilityZones': () => ({
    names: ZONES,
    zoneIds: ['euw1-az1', 'euw1-az2', 'euw1-az3'],
    id: REGION,
  }),
  'aws:index/getRegion:getRegion': () => ({ name: REGION, region: REGION, id: REGION }),
  'aws:index/getCallerIdentity:getCallerIdentity': () => ({
    accountId: ACCOUNT_ID,
    arn: `arn:aws:iam::${ACCOUNT_ID}:user/deployer`,
    userId: 'AIDAEXAMPLE',
    id: ACCOUNT_ID,
  }),
  'aws:index/getPartition:getPartition': () => ({
    partition: 'aws',
    dnsSuffix: 'amazonaws.com',
    id: 'aws',
  }),
  'aws:ec2/getVpc:getVpc': (inputs) => ({ id: inputs.id, cidrBlock: EXISTING_VPC_CIDR }),
  'aws:ec2/getSubnet:getSubnet': (inputs) => ({
    id: inputs.id,
    cidrBlock: existingSubnetCidr(String(inputs.id)),
    vpcId: EXISTING_VPC_ID,
  }),
  'aws:ec2/getPrefixList:getPrefixList': (inputs) => ({
    id: 'pl-6da54004',
    name: inputs.name,
    cidrBlocks: [],
  }),
  'aws:ecr/getRepository:getRepository': (inputs) => ({
    name: inputs.name,
    arn: `arn:aws:ecr:${REGION}:${ACCOUNT_ID}:repository/${String(inputs.name)}`,
    repositoryUrl: `${ACCOUNT_ID}.dkr.ecr.${REGION}.amazonaws.com/${String(inputs.name)}`,
    id: inputs.name,
  }),
  'aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider': (inputs) => ({
    url: inputs.url,
    arn: `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/${String(inputs.url).replace(/^https:\/\//, '')}`,
    id: inputs.url,
  }),
  'aws:ec2/getRouteTable:getRouteTable': (inputs) => ({
    id: fakeId('rtb', String(inputs.subnetId)),
    routeTableId: fakeId('rtb', String(inputs.subnetId)),
  }),
};

/** A /24 of the existing VPC, stable for a given subnet id. */
export function existingSubnetCidr(subnetId: string): string {
  return `10.50.${parseInt(createHash('sha1').update(subnetId).digest('hex').slice(0, 2), 16)}.0/24`;
}

/** Ids shaped like AWS's, stable for a given logical name. */
export function fakeId(prefix: string, seed: string): string {
  return `${prefix}-${createHash('sha1').update(seed).digest('hex').slice(0, 17)}`;
}

const ID_PREFIX: Record<string, string> = {
  'aws:ec2/vpc:Vpc': 'vpc',
  'aws:ec2/subnet:Subnet': 'subnet',
  'aws:ec2/routeTable:RouteTable': 'rtb',
  'aws:ec2/internetGateway:InternetGateway': 'igw',
  'aws:ec2/natGateway:NatGateway': 'nat',
  'aws:ec2/eip:Eip': 'eipalloc',
  'aws:ec2/securityGroup:SecurityGroup': 'sg',
  'aws:ec2/vpcEndpoint:VpcEndpoint': 'vpce',
  'aws:ec2/launchTemplate:LaunchTemplate': 'lt',
  'aws:ec2/flowLog:FlowLog': 'fl',
};

/** Outputs the provider would compute, for the resource types whose outputs the program reads. */
function computedState(type: string, name: string, inputs: Record<string, unknown>, id: string) {
  const physicalName = typeof inputs.name === 'string' ? inputs.name : name;
  const service = type.split(':')[1]?.split('/')[0] ?? 'unknown';
  const state: Record<string, unknown> = {
    arn: `arn:aws:${service}:${REGION}:${ACCOUNT_ID}:${type.split(':')[2]?.toLowerCase()}/${physicalName}`,
  };
  switch (type) {
    case 'aws:iam/role:Role':
      state.arn = `arn:aws:iam::${ACCOUNT_ID}:role/${physicalName}`;
      state.name = physicalName;
      break;
    case 'aws:iam/policy:Policy':
      state.arn = `arn:aws:iam::${ACCOUNT_ID}:policy/${physicalName}`;
      break;
    case 'aws:iam/openIdConnectProvider:OpenIdConnectProvider':
      state.arn = `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/${String(inputs.url).replace(/^https:\/\//, '')}`;
      break;
    case 'aws:kms/key:Key':
      state.keyId = id;
      break;
    case 'aws:eks/cluster:Cluster':
      state.endpoint = `https://${id.toUpperCase()}.gr7.${REGION}.eks.amazonaws.com`;
      state.certificateAuthority = { data: Buffer.from(`ca of ${physicalName}`).toString('base64') };
      state.identities = [
        { oidcs: [{ issuer: `https://oidc.eks.${REGION}.amazonaws.com/id/${id.toUpperCase()}` }] },
      ];
      state.vpcConfig = {
        ...(inputs.vpcConfig as object),
        clusterSecurityGroupId: fakeId('sg', `${name}-eks`),
      };
      state.name = physicalName;
      break;
    case 'aws:docdb/cluster:Cluster':
      state.endpoint = `${physicalName}.cluster-c0ffee.${REGION}.docdb.amazonaws.com`;
      state.readerEndpoint = `${physicalName}.cluster-ro-c0ffee.${REGION}.docdb.amazonaws.com`;
      state.port = inputs.port ?? 27017;
      break;
    case 'aws:ec2/launchTemplate:LaunchTemplate':
      state.latestVersion = 1;
      break;
    case 'aws:ecr/repository:Repository':
      state.repositoryUrl = `${ACCOUNT_ID}.dkr.ecr.${REGION}.amazonaws.com/${physicalName}`;
      break;
    case 'aws:ec2/vpcEndpoint:VpcEndpoint':
      state.prefixListId = inputs.vpcEndpointType === 'Gateway' ? 'pl-6da54004' : undefined;
      break;
    case 'aws:cloudwatch/logGroup:LogGroup':
      state.arn = `arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:${physicalName}`;
      break;
    case 'random:index/randomPassword:RandomPassword':
      state.result = `mock-password-of-${name}`;
      break;
  }
  return state;
}

/**
 * Runs `program` under fresh mocks. The project and stack names are what `pulumi.getProject()` and
 * `pulumi.getStack()` return inside it.
 */
export async function runPulumi<T>(
  program: () => T,
  options: { stack?: string; project?: string } = {},
): Promise<PulumiRun<T>> {
  const resources: RegisteredResource[] = [];
  const invokes: Invocation[] = [];
  const unanswered: string[] = [];

  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const inputs = (args.inputs ?? {}) as Record<string, unknown>;
        const id = args.id || fakeId(ID_PREFIX[args.type] ?? 'id', `${args.type}::${args.name}`);
        const state = { ...inputs, ...computedState(args.type, args.name, inputs, id) };
        resources.push({ type: args.type, name: args.name, inputs, state, id });
        return { id, state };
      },
      call(args) {
        const inputs = (args.inputs ?? {}) as Record<string, unknown>;
        invokes.push({ token: args.token, inputs });
        const answer = CANNED_INVOKES[args.token];
        if (!answer) {
          unanswered.push(args.token);
          throw new Error(`no canned answer for invoke ${args.token}`);
        }
        return answer(inputs);
      },
    },
    options.project ?? 'platform-infra',
    options.stack ?? 'test',
    false,
  );

  const result = program();
  await settle(resources, result);
  if (unanswered.length > 0) throw new Error(`invokes without a canned answer: ${unanswered.join(', ')}`);
  if (resources.length === 0)
    throw new Error('the program registered no resources: the mocks are not in effect');

  const ofType = (type: string) => resources.filter((r) => r.type === type);
  return {
    resources,
    invokes,
    result,
    ofType,
    named(type, name) {
      const found = ofType(type).find((r) => r.name === name);
      if (!found) {
        const names = ofType(type).map((r) => r.name);
        throw new Error(`no ${type} named ${name}; registered: ${names.join(', ') || 'none'}`);
      }
      return found;
    },
  };
}

/** Waits for outstanding RPCs and output callbacks until no new resource appears. */
async function settle(resources: RegisteredResource[], result: unknown): Promise<void> {
  const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
  await resolveDeep(result);
  let quietRounds = 0;
  for (let round = 0; round < 200 && quietRounds < 5; round++) {
    const before = resources.length;
    await runtime.waitForRPCs?.();
    await new Promise((done) => setImmediate(done));
    quietRounds = resources.length === before ? quietRounds + 1 : 0;
  }
}

async function resolveDeep(value: unknown): Promise<void> {
  if (pulumi.Output.isInstance(value)) {
    await resolve(value);
  } else if (Array.isArray(value)) {
    await Promise.all(value.map(resolveDeep));
  } else if (value && typeof value === 'object' && !pulumi.Resource.isInstance(value)) {
    await Promise.all(Object.values(value).map(resolveDeep));
  }
}

/** The value of an output once the mocks have answered; rejects instead of hanging on an unknown one. */
export async function resolve<T>(input: pulumi.Input<T>): Promise<pulumi.Unwrap<T>> {
  const output = pulumi.output(input);
  const known = await (output as unknown as { isKnown: Promise<boolean> }).isKnown;
  if (!known) throw new Error('the output is unknown: a mock returned no value for something it depends on');
  return new Promise((done) => {
    output.apply((value) => {
      done(value);
      return value;
    });
  });
}

/** Whether the output is marked secret (and so encrypted in the state and masked in the CLI). */
export function isSecret(output: pulumi.Input<unknown>): Promise<boolean> {
  return pulumi.isSecret(pulumi.output(output));
}
