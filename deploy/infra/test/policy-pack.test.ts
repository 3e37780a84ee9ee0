import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import * as grpc from '@grpc/grpc-js';
import { AnalyzerClient } from '@pulumi/pulumi/proto/analyzer_grpc_pb';
import {
  AnalyzeRequest,
  AnalyzerResourceOptions,
  EnforcementLevel,
  type AnalyzeDiagnostic,
  type AnalyzerInfo,
} from '@pulumi/pulumi/proto/analyzer_pb';
import { Empty } from 'google-protobuf/google/protobuf/empty_pb';
import { Struct, type JavaScriptValue } from 'google-protobuf/google/protobuf/struct_pb';
import { policies } from '../src/policy/policies';
import { TYPES } from '../src/policy/rules';

/**
 * Boots policy-pack/ the way `pulumi preview --policy-pack deploy/infra/policy-pack` does (the
 * SDK's run-policy-pack, started in the pack directory with the engine address and ".") and talks
 * to it over the analyzer gRPC protocol the engine uses.
 */

const PACK_DIR = join(__dirname, '..', 'policy-pack');
const COMPILED_PACK = join(__dirname, '..', 'dist', 'policy', 'pack.js');
/** The engine's marker for a string property that is unknown during a preview. */
const UNKNOWN_STRING = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';

let pack: ChildProcess | undefined;
let client: AnalyzerClient;

beforeAll(async () => {
  if (!existsSync(COMPILED_PACK)) throw new Error(`${COMPILED_PACK} is missing: run \`npm run build\` first`);
  const runner = require.resolve('@pulumi/pulumi/cmd/run-policy-pack', { paths: [PACK_DIR] });
  const child = spawn(process.execPath, [runner, '127.0.0.1:1', '.'], {
    cwd: PACK_DIR,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  pack = child;
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // The pack prints the port of its analyzer server as its first line, as the engine expects.
  const port = await new Promise<string>((found, failed) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once('line', (line) => found(line.trim()));
    child.once('exit', (code) => failed(new Error(`the policy pack exited with ${code}: ${stderr}`)));
  });
  expect(port).toMatch(/^\d+$/);
  client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}, 60_000);

afterAll(() => {
  client?.close();
  pack?.kill();
});

function analyzerInfo(): Promise<AnalyzerInfo> {
  return new Promise((done, failed) =>
    client.getAnalyzerInfo(new Empty(), (error, info) => (error ? failed(error) : done(info))),
  );
}

function analyze(
  type: string,
  name: string,
  properties: Record<string, JavaScriptValue>,
): Promise<AnalyzeDiagnostic[]> {
  const request = new AnalyzeRequest()
    .setType(type)
    .setName(name)
    .setUrn(`urn:pulumi:prod::platform-infra::${type}::${name}`)
    .setProperties(Struct.fromJavaScript(properties))
    .setOptions(new AnalyzerResourceOptions());
  return new Promise((done, failed) =>
    client.analyze(request, (error, response) =>
      error ? failed(error) : done(response.getDiagnosticsList()),
    ),
  );
}

test('the pack announces every policy as mandatory', async () => {
  const info = await analyzerInfo();
  expect(info.getName()).toBe('platform-infra');
  expect(info.getVersion()).toBe('0.1.0');
  const announced = info.getPoliciesList().map((policy) => [policy.getName(), policy.getEnforcementlevel()]);
  expect(announced).toEqual(policies.map((policy) => [policy.name, EnforcementLevel.MANDATORY]));
});

interface PackCase {
  title: string;
  type: string;
  name: string;
  properties: Record<string, JavaScriptValue>;
  expected: [policy: string, message: string][];
}

test.each<PackCase>([
  {
    title: 'a node group rule open to the internet',
    type: TYPES.ingressRule,
    name: 'platform-prod-nodes-in-tcp-22-from-0-0-0-0-0',
    properties: {
      securityGroupId: 'sg-1',
      ipProtocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      cidrIpv4: '0.0.0.0/0',
    },
    expected: [
      ['no-internet-ingress', 'ingress rule admits 0.0.0.0/0 on tcp 22'],
      ['security-group-rule-descriptions', 'security group rule has no description'],
    ],
  },
  {
    title: 'a mutable, unscanned repository',
    type: TYPES.ecrRepository,
    name: 'platform-prod-auth',
    properties: { name: 'platform-prod/auth', imageTagMutability: 'MUTABLE' },
    expected: [
      ['ecr-repository-hardening', 'scanOnPush is not true'],
      ['ecr-repository-hardening', 'imageTagMutability is "MUTABLE"'],
    ],
  },
  {
    title: 'a compliant load balancer rule',
    type: TYPES.ingressRule,
    name: 'platform-prod-load-balancer-in-tcp-443-from-0-0-0-0-0',
    properties: {
      securityGroupId: 'sg-1',
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      cidrIpv4: '0.0.0.0/0',
      description: 'clients on 443',
    },
    expected: [],
  },
])('the engine gets mandatory violations for $title', async ({ type, name, properties, expected }) => {
  const diagnostics = await analyze(type, name, properties);
  expect(diagnostics.map((diagnostic) => diagnostic.getEnforcementlevel())).toEqual(
    expected.map(() => EnforcementLevel.MANDATORY),
  );
  expected.forEach(([policy, message], index) => {
    expect(diagnostics[index]?.getPolicyname()).toBe(policy);
    expect(diagnostics[index]?.getMessage()).toContain(message);
  });
});

test('a value unknown during preview makes the check advisory, never a false violation', async () => {
  const cluster = {
    name: 'platform-prod',
    encryptionConfig: { resources: ['secrets'], provider: { keyArn: UNKNOWN_STRING } },
    vpcConfig: { endpointPrivateAccess: true, endpointPublicAccess: false, subnetIds: [UNKNOWN_STRING] },
    enabledClusterLogTypes: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'],
  };
  expect(await analyze(TYPES.eksCluster, 'platform-prod', cluster)).toEqual([]);

  const privateRoutes = {
    vpcId: UNKNOWN_STRING,
    routes: [{ cidrBlock: '0.0.0.0/0', gatewayId: UNKNOWN_STRING }],
    tags: { 'platform:tier': 'private' },
  };
  const diagnostics = await analyze(TYPES.routeTable, 'platform-prod-private-rt-0', privateRoutes);
  expect(diagnostics.map((diagnostic) => diagnostic.getEnforcementlevel())).toEqual([
    EnforcementLevel.ADVISORY,
  ]);
  expect(diagnostics[0]?.getMessage()).toContain("can't be known during preview");
});
