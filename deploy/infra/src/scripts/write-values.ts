import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { z } from 'zod';
import { SERVICES, type Service } from '../services';

/**
 * Turns the stack outputs (`pulumi stack output --json`) into a Helm values file for one
 * application environment, layered after the chart's values-<env>.yaml:
 *
 *   pulumi stack output --json -s prod | node dist/scripts/write-values.js --env prod --out infra-prod.yaml
 *   helm upgrade --install platform deploy/helm/platform -n platform-prod \
 *     -f deploy/helm/platform/values-prod.yaml -f infra-prod.yaml
 *
 * Only keys the chart's values.schema.json accepts are written. `infrastructure.environment` says
 * which environment they were written for: staging and prod (`infrastructure.required`) do not
 * deploy without it (tools/deploy).
 */

export class WriteValuesError extends Error {
  override name = 'WriteValuesError';
}

/** The key of the CA bundle in the ConfigMap the stack publishes (the RDS global-bundle.pem). */
export const CA_BUNDLE_KEY = 'global-bundle.pem';

const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$|^[0-9a-fA-F:]+\/\d{1,3}$/;
const cidrs = z.array(z.string().regex(CIDR, { error: 'must be a CIDR such as 10.0.100.0/24' }));
const perService = <T extends z.ZodType>(value: T) =>
  z.object(Object.fromEntries(SERVICES.map((service) => [service, value])) as Record<Service, T>);

const outputsSchema = z.object({
  environments: z.array(z.string().min(1)).min(1),
  imageRepositories: perService(
    z.string().regex(/^[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+$/, {
      error:
        'must be an image repository URL such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform/auth',
    }),
  ),
  podSecurityGroupIds: perService(
    z
      .array(z.string().regex(/^sg-[0-9a-f]{8,17}$/, { error: 'must be a security group id (sg-...)' }))
      .min(1),
  ).optional(),
  database: z.discriminatedUnion('engine', [
    z.object({
      engine: z.literal('documentdb'),
      kubernetesSecret: z.string().min(1),
      caBundleConfigMap: z.string().min(1),
    }),
    z.object({ engine: z.literal('inCluster') }),
  ]),
  databaseSubnetCidrs: cidrs,
  ingressHost: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { error: 'must be a DNS name' }),
  clusterIssuer: z.string().min(1),
});

export type InfraOutputs = z.output<typeof outputsSchema>;
const REQUIRED_OUTPUTS = Object.entries(outputsSchema.shape)
  .filter(([, schema]) => !schema.safeParse(undefined).success)
  .map(([key]) => key);

/** Validates the outputs JSON, naming every missing or malformed output. */
export function parseInfraOutputs(json: unknown): InfraOutputs {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new WriteValuesError(
      'the stack outputs must be the JSON object printed by `pulumi stack output --json`',
    );
  }
  const missing = REQUIRED_OUTPUTS.filter((key) => !(key in json));
  if (missing.length > 0) {
    throw new WriteValuesError(
      `the stack outputs lack ${missing.join(', ')}: give the output of \`pulumi stack output --json\` ` +
        'for a platform-infra stack that has been deployed',
    );
  }
  const parsed = outputsSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `  - ${issue.path.map(String).join('.')}: ${issue.message}`,
    );
    throw new WriteValuesError(`invalid stack outputs:\n${problems.join('\n')}`);
  }
  return parsed.data;
}

/** The registry host shared by all images, and each service's repository within it. */
function splitRepositories(repositories: Record<Service, string>) {
  const split = SERVICES.map((service) => {
    const url = repositories[service];
    const slash = url.indexOf('/');
    return { service, registry: url.slice(0, slash), repository: url.slice(slash + 1) };
  });
  const registries = [...new Set(split.map((entry) => entry.registry))];
  if (registries.length !== 1) {
    throw new WriteValuesError(`the image repositories are in several registries (${registries.join(', ')})`);
  }
  return { registry: registries[0] as string, repositories: split };
}

export interface ValuesOptions {
  /** The application environment (a release in namespace platform-<env>); one of the stack's environments. */
  environment: string;
  /** Host name of this environment's Ingress; default: the stack's ingressHost. */
  host?: string;
}

/** The chart values the stack determines, for one environment. */
export function chartValues(outputs: InfraOutputs, options: ValuesOptions): Record<string, unknown> {
  if (!outputs.environments.includes(options.environment)) {
    throw new WriteValuesError(
      `environment ${options.environment} is not hosted by this stack (its environments: ${outputs.environments.join(', ')})`,
    );
  }
  const { registry, repositories } = splitRepositories(outputs.imageRepositories);
  const groupIds = outputs.podSecurityGroupIds;
  const database = outputs.database;

  return {
    global: { image: { registry } },
    services: Object.fromEntries(
      repositories.map(({ service, repository }) => [service, { image: { repository } }]),
    ),
    // Without groups from the stack the pods must not ask for any, whatever the environment's file says.
    podSecurityGroups: groupIds ? { enabled: true, groupIds } : { enabled: false },
    mongodb:
      database.engine === 'documentdb'
        ? {
            mode: 'external',
            external: {
              existingSecret: database.kubernetesSecret,
              cidrs: outputs.databaseSubnetCidrs,
              caBundle: { configMap: database.caBundleConfigMap, key: CA_BUNDLE_KEY },
            },
          }
        : { mode: 'inCluster' },
    // No ipBlocks for the load balancer subnets: the load balancer's targets are the ingress
    // controller's pods (the stack admits its subnets there), never the platform's, which take
    // http from the controller alone (the flow contract). Admitting the subnets here would let them
    // reach every service's http port past the controller.
    ingress: { host: options.host ?? outputs.ingressHost, tls: { clusterIssuer: outputs.clusterIssuer } },
    // Says these values were written, and for which environment: the deploy step of an
    // environment that requires them (infrastructure.required) checks it before installing.
    infrastructure: { environment: options.environment },
  };
}

/** The values as YAML, with a header saying where they come from and how to apply them. */
export function valuesYaml(values: Record<string, unknown>, environment: string): string {
  const header = [
    `# Helm values of environment ${environment} (namespace platform-${environment}), written by`,
    '# scripts/write-values from the platform-infra stack outputs. Apply after the environment file:',
    `#   helm upgrade --install platform deploy/helm/platform -n platform-${environment} \\`,
    `#     -f deploy/helm/platform/values-${environment}.yaml -f <this file>`,
  ];
  return `${header.join('\n')}\n${stringify(values)}`;
}

const USAGE =
  'usage: write-values --env <environment> --out <values.yaml> [--host <name>] [outputs.json | -]\n' +
  '  reads `pulumi stack output --json` from the file, or from stdin when none (or -) is given';

export interface WriteValuesIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function readOutputs(input: string | undefined, io: WriteValuesIo): Promise<unknown> {
  let text: string;
  if (input && input !== '-') {
    try {
      text = readFileSync(input, 'utf8');
    } catch (error) {
      throw new WriteValuesError(`cannot read ${input}: ${(error as Error).message}`);
    }
  } else {
    if (io.stdin.isTTY)
      throw new WriteValuesError('give the outputs file, or pipe `pulumi stack output --json`');
    text = await readAll(io.stdin);
    if (text.trim() === '') throw new WriteValuesError('stdin is empty: pipe `pulumi stack output --json`');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new WriteValuesError(`the stack outputs are not JSON: ${(error as Error).message}`);
  }
}

function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: { env: { type: 'string' }, out: { type: 'string' }, host: { type: 'string' } },
    });
  } catch (error) {
    throw new WriteValuesError(`${(error as Error).message}\n${USAGE}`);
  }
}

/** The command line; resolves with the exit code. */
export async function main(
  argv: string[],
  io: WriteValuesIo = { stdin: process.stdin, stderr: process.stderr },
): Promise<number> {
  try {
    const parsed = parseCommandLine(argv);
    const { env, out, host } = parsed.values;
    if (!env || !out || parsed.positionals.length > 1) throw new WriteValuesError(USAGE);

    const outputs = parseInfraOutputs(await readOutputs(parsed.positionals[0], io));
    const values = chartValues(outputs, { environment: env, host });
    writeFileSync(out, valuesYaml(values, env));
    return 0;
  } catch (error) {
    if (!(error instanceof WriteValuesError)) throw error;
    io.stderr.write(`write-values: ${error.message}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `write-values: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
