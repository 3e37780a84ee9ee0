import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { parseConfig, type PlatformConfig, type PlatformConfigInput } from './config';
import type { PlatformFiles } from './platform';

/** deploy/infra: where Pulumi.yaml lives, whether this module runs from src/ or dist/. */
export const PROJECT_DIR = resolve(__dirname, '..');

/** The config namespace of every platform setting (`platform:network`, `platform:cluster`, ...). */
export const CONFIG_NAMESPACE = 'platform';

/**
 * How each top-level setting is stored in the stack file: plain strings are read as they are,
 * everything else (lists, objects, numbers) as JSON. `satisfies` makes a setting added to the
 * schema without a line here a compile error.
 */
const SETTING_KINDS = {
  name: 'string',
  environment: 'string',
  tags: 'json',
  environments: 'json',
  network: 'json',
  cluster: 'json',
  podSecurityGroups: 'json',
  database: 'json',
  flowLogRetentionDays: 'json',
  logRetentionDays: 'json',
  ingress: 'json',
  tls: 'json',
  monitoring: 'json',
  registry: 'json',
  ci: 'json',
} as const satisfies Record<keyof PlatformConfigInput, 'string' | 'json'>;

export const SETTING_KEYS = Object.keys(SETTING_KINDS) as (keyof PlatformConfigInput)[];

/**
 * Reads every `platform:*` key of the current stack and validates them together; an unset key is
 * left out so that the schema's default applies. Throws InfraConfigError listing every problem.
 */
export function loadStackConfig(): PlatformConfig {
  const config = new pulumi.Config(CONFIG_NAMESPACE);
  const input: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const value = SETTING_KINDS[key] === 'string' ? config.get(key) : config.getObject<unknown>(key);
    if (value !== undefined) input[key] = value;
  }
  return parseConfig(input);
}

/** Reads the files the settings point at; relative paths are relative to the project directory. */
export function readPlatformFiles(config: PlatformConfig, projectDir: string = PROJECT_DIR): PlatformFiles {
  const bundleFile = config.database.caBundleFile;
  if (config.database.engine !== 'documentdb' || !bundleFile) return {};

  const path = isAbsolute(bundleFile) ? bundleFile : resolve(projectDir, bundleFile);
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(
      `platform:database.caBundleFile: cannot read ${path} (${(error as Error).message}); download ` +
        'https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem to that path',
      { cause: error },
    );
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new Error(`platform:database.caBundleFile: ${path} holds no PEM certificate`);
  }
  return { caBundlePem: pem };
}
