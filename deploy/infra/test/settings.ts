import { parseConfig, type PlatformConfig, type PlatformConfigInput } from '../src/config';

/** Stack settings for tests: the smallest valid dev stack and a production-shaped one. */

const common = {
  ingress: {
    host: 'platform.example.com',
    grafanaHost: 'grafana.example.com',
    prometheusHost: 'prometheus.example.com',
  },
  tls: { email: 'platform-team@example.com' },
} satisfies Partial<PlatformConfigInput>;

export const DEV: PlatformConfigInput = {
  name: 'platform-dev',
  environment: 'dev',
  environments: ['dev'],
  ...common,
  network: { availabilityZoneCount: 2, natMode: 'single' },
  cluster: {
    nodeGroups: [{ name: 'general', instanceTypes: ['t3.large'], minSize: 2, desiredSize: 2, maxSize: 4 }],
  },
};

export const PROD: PlatformConfigInput = {
  name: 'platform-prod',
  environment: 'prod',
  environments: ['prod'],
  ...common,
  network: { availabilityZoneCount: 3, natMode: 'perAz' },
  cluster: {
    nodeGroups: [{ name: 'general', instanceTypes: ['m6i.large'], minSize: 3, desiredSize: 3, maxSize: 9 }],
  },
  podSecurityGroups: { enabled: true, enforcingMode: 'standard' },
  database: {
    engine: 'documentdb',
    instances: 3,
    deletionProtection: true,
    caBundleFile: 'global-bundle.pem',
  },
  ci: { githubRepository: 'example-org/platform', githubEnvironments: ['prod'] },
};

type Overrides = { [key: string]: unknown };

/** `base` with `overrides` merged in (objects merge key by key; arrays and scalars replace). */
export function settings(base: PlatformConfigInput, overrides: Overrides = {}): PlatformConfig {
  return parseConfig(merge(base, overrides));
}

function merge(base: object, overrides: Overrides): Overrides {
  const out: Overrides = { ...(base as Overrides) };
  for (const [key, value] of Object.entries(overrides)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? merge(current, value) : value;
  }
  return out;
}

function isPlainObject(value: unknown): value is Overrides {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
