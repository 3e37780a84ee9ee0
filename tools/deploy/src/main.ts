#!/usr/bin/env node
/** `npm run deploy -- <environment> --image-tag TAG ...`: see README.md. */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { deploy, DeployInputError, type SigningKeySource } from './deploy';
import { findOnPath, repoRoot, toolPath } from '@platform/devstack';

const USAGE = `usage: npm run deploy -- <dev|staging|prod> --image-tag TAG [--kubeconfig FILE] [--context NAME]
         [-f VALUES]... [--set KEY=VALUE]... [--release NAME] [--timeout 10m] [--skip-test]
         [--signing-key-file PEM | --signing-key-secret SECRET_ID]
         [--database-secret-file ENV_FILE] [--ca-bundle-file PEM]`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'image-tag': { type: 'string' },
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      values: { type: 'string', short: 'f', multiple: true, default: [] },
      set: { type: 'string', multiple: true, default: [] },
      release: { type: 'string' },
      timeout: { type: 'string' },
      'skip-test': { type: 'boolean', default: false },
      'signing-key-file': { type: 'string' },
      'signing-key-secret': { type: 'string' },
      'database-secret-file': { type: 'string' },
      'ca-bundle-file': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [environment, ...rest] = positionals;
  if (!environment || rest.length > 0) throw new DeployInputError('give exactly one environment');
  if (!values['image-tag']) throw new DeployInputError('--image-tag is required');
  if (values['signing-key-file'] && values['signing-key-secret']) {
    throw new DeployInputError('give --signing-key-file or --signing-key-secret, not both');
  }
  const signingKey: SigningKeySource | undefined = values['signing-key-file']
    ? { file: values['signing-key-file'] }
    : values['signing-key-secret']
      ? { awsSecretId: values['signing-key-secret'] }
      : undefined;
  const aws = findOnPath('aws');
  await deploy({
    environment,
    imageTag: values['image-tag'],
    ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
    ...(values.context ? { context: values.context } : {}),
    values: values.values,
    set: values.set,
    ...(values.release ? { release: values.release } : {}),
    ...(values.timeout ? { timeout: values.timeout } : {}),
    test: !values['skip-test'],
    ...(signingKey ? { signingKey } : {}),
    ...(values['database-secret-file'] ? { databaseSecretFile: values['database-secret-file'] } : {}),
    ...(values['ca-bundle-file'] ? { caBundleFile: values['ca-bundle-file'] } : {}),
    chartDir: join(repoRoot, 'deploy', 'helm', 'platform'),
    tools: {
      helm: await toolPath('helm'),
      // A CI runner's own kubectl saves building the pinned one (minutes) for a few applies.
      kubectl: process.env.KUBECTL || (await toolPath('kubectl')),
      ...(aws ? { aws } : {}),
    },
    log: (line) => process.stdout.write(`deploy: ${line}\n`),
  });
  process.stdout.write(`deploy: ${environment} is installed and its helm test passed\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    const usage =
      error instanceof DeployInputError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`deploy: ${message}${usage ? `\n\n${USAGE}` : ''}\n`);
    process.exit(usage ? 2 : 1);
  },
);
