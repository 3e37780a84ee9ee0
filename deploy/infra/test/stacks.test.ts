import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { parse } from 'yaml';
import { InfraConfigError, parseConfig, supportsPodSecurityGroups, type PlatformConfig } from '../src/config';
import { loadStackConfig, PROJECT_DIR, readPlatformFiles, SETTING_KEYS } from '../src/stackConfig';

const STACKS = ['dev', 'staging', 'prod'] as const;
type Stack = (typeof STACKS)[number];

interface StackFile {
  config: Record<string, unknown>;
}

function stackFile(stack: Stack): StackFile {
  return parse(readFileSync(join(PROJECT_DIR, 'stacks', `Pulumi.${stack}.yaml`), 'utf8')) as StackFile;
}

/** What the Pulumi CLI hands the program: every value a string, structured ones as JSON. */
function useStackConfig(config: Record<string, unknown>): void {
  pulumi.runtime.setAllConfig(
    Object.fromEntries(
      Object.entries(config).map(([key, value]) => [
        key,
        typeof value === 'string' ? value : JSON.stringify(value),
      ]),
    ),
  );
}

function loadStack(stack: Stack): PlatformConfig {
  useStackConfig(stackFile(stack).config);
  return loadStackConfig();
}

/** Documentation ranges (RFC 5737): the only public CIDRs an example may use. */
const DOCUMENTATION_CIDRS = [/^192\.0\.2\./, /^198\.51\.100\./, /^203\.0\.113\./];

describe('Pulumi.yaml', () => {
  const project = parse(readFileSync(join(PROJECT_DIR, 'Pulumi.yaml'), 'utf8')) as Record<string, unknown>;

  it('runs the compiled CommonJS program with the nodejs runtime', () => {
    expect(project).toMatchObject({
      name: 'platform-infra',
      runtime: { name: 'nodejs', options: { typescript: false } },
      main: 'dist/index.js',
      stackConfigDir: 'stacks',
    });
  });
});

describe('the stack files', () => {
  it.each(STACKS)('%s sets only known platform:* keys, in eu-west-1', (stack) => {
    const keys = Object.keys(stackFile(stack).config);
    expect(keys).toContain('aws:region');
    expect(stackFile(stack).config['aws:region']).toBe('eu-west-1');
    const settings = keys
      .filter((key) => key.startsWith('platform:'))
      .map((key) => key.slice('platform:'.length));
    expect(settings.length).toBeGreaterThan(0);
    for (const setting of settings) expect(SETTING_KEYS).toContain(setting);
    expect(keys.filter((key) => !key.startsWith('platform:'))).toEqual(['aws:region']);
  });

  it.each(STACKS)('%s passes validation and names its environment', (stack) => {
    const config = loadStack(stack);
    expect(config.name).toBe(`platform-${stack}`);
    expect(config.environment).toBe(stack);
    expect(config.environments).toEqual([stack]);
    for (const host of [config.ingress.host, config.ingress.grafanaHost, config.ingress.prometheusHost]) {
      expect(host).toMatch(/(^|\.)example\.com$/);
    }
    expect(config.tls.email).toMatch(/@example\.com$/);
  });

  it.each([
    {
      stack: 'dev' as const,
      natMode: 'single',
      zones: 2,
      podSecurityGroups: false,
      instanceTypes: ['t3.large'],
      engine: 'inCluster',
      publicEndpoint: true,
    },
    {
      stack: 'staging' as const,
      natMode: 'single',
      zones: 3,
      podSecurityGroups: false,
      instanceTypes: ['m6i.large'],
      engine: 'documentdb',
      publicEndpoint: false,
    },
    {
      stack: 'prod' as const,
      natMode: 'perAz',
      zones: 3,
      podSecurityGroups: true,
      instanceTypes: ['m6i.large'],
      engine: 'documentdb',
      publicEndpoint: false,
    },
  ])('$stack: $natMode NAT over $zones zones, pod security groups $podSecurityGroups', (expected) => {
    const config = loadStack(expected.stack);
    expect(config.network.natMode).toBe(expected.natMode);
    expect(config.network.availabilityZoneCount).toBe(expected.zones);
    expect(config.network.interfaceEndpoints).toBe(true);
    expect(config.podSecurityGroups.enabled).toBe(expected.podSecurityGroups);
    expect(config.cluster.nodeGroups.flatMap((group) => group.instanceTypes)).toEqual(expected.instanceTypes);
    expect(config.database.engine).toBe(expected.engine);
    expect(config.cluster.publicEndpoint).toBe(expected.publicEndpoint);
    expect(config.cluster.logTypes).toHaveLength(5);
    if (config.podSecurityGroups.enabled) {
      for (const group of config.cluster.nodeGroups) {
        expect(group.instanceTypes.every(supportsPodSecurityGroups)).toBe(true);
      }
    }
  });

  it('dev restricts its public API endpoint to a documentation range', () => {
    const { cluster } = loadStack('dev');
    expect(cluster.publicEndpointCidrs.length).toBeGreaterThan(0);
    for (const cidr of cluster.publicEndpointCidrs) {
      expect(DOCUMENTATION_CIDRS.some((range) => range.test(cidr))).toBe(true);
    }
  });

  it.each([
    { stack: 'staging' as const, instances: 1, deletionProtection: false },
    { stack: 'prod' as const, instances: 3, deletionProtection: true },
  ])('$stack runs DocumentDB with $instances instance(s)', ({ stack, instances, deletionProtection }) => {
    const { database } = loadStack(stack);
    expect(database.instances).toBe(instances);
    expect(database.deletionProtection).toBe(deletionProtection);
    expect(database.caBundleFile).toBe('certs/global-bundle.pem');
  });

  it.each([
    { stack: 'dev' as const, environment: 'dev', owner: true },
    { stack: 'staging' as const, environment: 'staging', owner: false },
    { stack: 'prod' as const, environment: 'production', owner: false },
  ])(
    '$stack gives the pipeline a deploy role for the GitHub environment $environment',
    ({ stack, environment, owner }) => {
      const { ci, registry } = loadStack(stack);
      expect(ci?.githubRepository).toBe('example-org/platform');
      expect(ci?.githubEnvironments).toEqual([environment]);
      // One stack owns what is one per account: the OIDC provider and the shared image repositories.
      expect(ci?.githubOidcProvider).toBe(owner ? 'create' : 'existing');
      expect(registry).toEqual({ repositoryPrefix: 'platform', create: owner });
    },
  );

  it("shares one set of repositories that matches the chart's image repositories", () => {
    const chartValues = parse(
      readFileSync(join(PROJECT_DIR, '..', 'helm', 'platform', 'values.yaml'), 'utf8'),
    ) as { services: Record<string, { image?: { repository?: string } }> };
    for (const service of ['frontend', 'auth', 'items', 'discounts']) {
      expect(chartValues.services[service]?.image?.repository).toBe(
        `${loadStack('dev').registry.repositoryPrefix}/${service}`,
      );
    }
  });

  describe('CIDRs', () => {
    const defaults = parseConfig({
      name: 'platform-defaults',
      environment: 'dev',
      environments: ['dev'],
      ingress: { host: 'a.example.com', grafanaHost: 'g.example.com', prometheusHost: 'p.example.com' },
      tls: { email: 'ops@example.com' },
    }).network;
    it.each(STACKS)('%s uses the default CIDRs', (stack) => {
      const { network } = loadStack(stack);
      expect(network.vpcCidr).toBe(defaults.vpcCidr);
      expect(network.privateSubnetCidrs).toEqual(defaults.privateSubnetCidrs);
      expect(network.databaseSubnetCidrs).toEqual(defaults.databaseSubnetCidrs);
      expect(network.publicSubnetCidrs).toEqual(defaults.publicSubnetCidrs);
    });
  });
});

describe('loadStackConfig', () => {
  it('reports every problem of the stack at once, by its platform:* key', () => {
    const { config } = stackFile('dev');
    useStackConfig({
      ...Object.fromEntries(Object.entries(config).filter(([key]) => key !== 'platform:name')),
      'platform:environment': 'qa',
    });
    const error = (() => {
      try {
        loadStackConfig();
      } catch (thrown) {
        return thrown;
      }
      throw new Error('the configuration was accepted');
    })();
    expect(error).toBeInstanceOf(InfraConfigError);
    expect((error as InfraConfigError).message).toContain('platform:name');
    expect((error as InfraConfigError).message).toContain('platform:environment');
  });

  it('leaves unset keys to the schema defaults', () => {
    const { config } = stackFile('dev');
    useStackConfig(
      Object.fromEntries(
        Object.entries(config).filter(([key]) => !['platform:monitoring', 'platform:tags'].includes(key)),
      ),
    );
    const loaded = loadStackConfig();
    expect(loaded.monitoring).toEqual({
      prometheusRetention: '15d',
      prometheusStorageGiB: 50,
      serviceMonitorLabel: 'kube-prometheus-stack',
    });
    expect(loaded.tags).toEqual({});
  });
});

describe('readPlatformFiles', () => {
  const PEM = '-----BEGIN CERTIFICATE-----\nMIIBsample\n-----END CERTIFICATE-----\n';
  let projectDir: string;
  beforeEach(() => {
    projectDir = mkdtempSync(join(tmpdir(), 'infra-project-'));
  });
  afterEach(() => rmSync(projectDir, { recursive: true, force: true }));

  it('reads the CA bundle relative to the project directory', () => {
    const config = loadStack('prod');
    writeFileSync(join(projectDir, 'bundle.pem'), PEM);
    const files = readPlatformFiles(
      { ...config, database: { ...config.database, caBundleFile: 'bundle.pem' } },
      projectDir,
    );
    expect(files.caBundlePem).toBe(PEM);
  });

  it('names the missing file and where to get it', () => {
    const config = loadStack('prod');
    expect(() => readPlatformFiles(config, projectDir)).toThrow(
      new RegExp(
        `platform:database.caBundleFile: cannot read ${projectDir}/certs/global-bundle.pem .*global-bundle.pem`,
      ),
    );
  });

  it('rejects a file without a certificate', () => {
    const config = loadStack('prod');
    writeFileSync(join(projectDir, 'bundle.pem'), 'not a certificate');
    expect(() =>
      readPlatformFiles(
        { ...config, database: { ...config.database, caBundleFile: 'bundle.pem' } },
        projectDir,
      ),
    ).toThrow('holds no PEM certificate');
  });

  it('reads nothing for the in-cluster database', () => {
    expect(readPlatformFiles(loadStack('dev'), projectDir)).toEqual({});
  });
});
