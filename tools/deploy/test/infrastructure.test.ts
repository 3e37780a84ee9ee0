/**
 * The check of the infrastructure's values, which needs no cluster: first on its own, with the
 * values given as helm would merge them; then through the deploy step, with helm merging the files
 * and --set, against a cluster that does not answer (what the check refuses never asks it; what it
 * lets through stops at "the cluster does not answer"). deploy.test.ts has the refusals on a real
 * control plane, which they leave as it was.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, toolPath, writeUnreachableKubeconfig } from '@platform/devstack';
import { parse } from 'yaml';
import {
  deploy,
  DeployInputError,
  environmentNeeds,
  infrastructureRefusal,
  type DeployOptions,
} from '../src';
import { writeInfraValues } from './infra-values';

const CHART = join(repoRoot, 'deploy', 'helm', 'platform');
type Values = Record<string, unknown>;
const read = (file: string) => parse(readFileSync(join(CHART, file), 'utf8')) as Values;
const defaults = read('values.yaml');
const own = (environment: string) => read(`values-${environment}.yaml`);
const refusal = (environment: string, supplied: Values) =>
  infrastructureRefusal(environment, environmentNeeds(CHART, environment), supplied, defaults);

/** What write-values adds for an environment (only the keys the check reads). */
const written = (environment: string, groupIds?: Record<string, string[]>): Values => ({
  podSecurityGroups: groupIds ? { enabled: true, groupIds } : { enabled: false },
  infrastructure: { environment },
});
const DEPLOYED = {
  frontend: ['sg-0aaaaaaaaaaaaaaa1', 'sg-0dddddddddddddddd'],
  auth: ['sg-0aaaaaaaaaaaaaaa2', 'sg-0dddddddddddddddd'],
  items: ['sg-0aaaaaaaaaaaaaaa3', 'sg-0dddddddddddddddd'],
  discounts: ['sg-0aaaaaaaaaaaaaaa4', 'sg-0dddddddddddddddd'],
};

describe('which environments require the infrastructure values', () => {
  it('staging and prod, from their own values files; dev does not', () => {
    expect(environmentNeeds(CHART, 'dev').infrastructureRequired).toBe(false);
    expect(environmentNeeds(CHART, 'staging').infrastructureRequired).toBe(true);
    expect(environmentNeeds(CHART, 'prod').infrastructureRequired).toBe(true);
  });

  it("prod's placeholders are the pod security group ids of values-prod.yaml", () => {
    const groupIds = (own('prod').podSecurityGroups as { groupIds: Record<string, string[]> }).groupIds;
    expect([...environmentNeeds(CHART, 'prod').placeholderGroupIds].sort()).toEqual(
      [...new Set(Object.values(groupIds).flat())].sort(),
    );
    expect(environmentNeeds(CHART, 'staging').placeholderGroupIds.size).toBe(0);
  });
});

describe('refused', () => {
  it('staging alone: names what its stack supplies (no pod security groups in staging), and how to write it', () => {
    expect(refusal('staging', own('staging'))).toBe(
      'staging deploys only with the values its infrastructure stack produces (the image registry, ' +
        'the database subnet CIDRs and the ingress host), and none were given: ' +
        'no values file sets infrastructure.environment. Without them it would be installed with the ' +
        'placeholders of values-staging.yaml. Write them from the stack outputs and add the file with -f:\n' +
        '  npm run build -w @platform/infra\n' +
        '  pulumi stack output --json --stack staging | npm run -s write-values -w @platform/infra -- --env staging --out /tmp/infra-staging.yaml\n' +
        '  npm run deploy -- staging --image-tag <tag> -f /tmp/infra-staging.yaml\n' +
        "(the deploy workflow does this from the environment's variable INFRA_OUTPUTS_JSON)",
    );
  });

  it('prod alone, however a later value turns infrastructure.required off', () => {
    const supplied = { ...own('prod'), infrastructure: { required: false } };
    expect(refusal('prod', supplied)).toMatch(
      /^prod deploys only with the values its infrastructure stack produces \(the image registry, the pod security group ids, the database subnet CIDRs and the ingress host\), and none were given/,
    );
  });

  it("dev given prod's values", () => {
    expect(refusal('dev', { ...own('dev'), ...written('prod', DEPLOYED) })).toMatch(
      /^the infrastructure values given were written for prod \(infrastructure\.environment: prod\), not for dev: /,
    );
  });

  it('prod with its values but the placeholder ids of one service put back', () => {
    const placeholders = (own('prod').podSecurityGroups as { groupIds: Record<string, string[]> }).groupIds;
    const supplied = { ...own('prod'), ...written('prod', { ...DEPLOYED, items: placeholders.items ?? [] }) };
    expect(refusal('prod', supplied)).toBe(
      'prod would run with the placeholder pod security group ids of values-prod.yaml for items: no deployed ' +
        "group has them. The stack's ids come with its infrastructure values (write-values); a values file or " +
        '--set given after that file must not put the placeholders back.',
    );
  });
});

describe('let through', () => {
  it('dev alone', () => {
    expect(refusal('dev', own('dev'))).toBeUndefined();
  });

  it('staging with its values, and prod with its own ids', () => {
    expect(refusal('staging', { ...own('staging'), ...written('staging') })).toBeUndefined();
    expect(refusal('prod', { ...own('prod'), ...written('prod', DEPLOYED) })).toBeUndefined();
  });

  it('prod with its values from a stack without pod security groups (write-values turns them off)', () => {
    expect(refusal('prod', { ...own('prod'), ...written('prod') })).toBeUndefined();
  });
});

describe('through the deploy step, helm merging the values', () => {
  let dir: string;
  let base: Pick<DeployOptions, 'chartDir' | 'tools' | 'kubeconfig' | 'imageTag'>;
  const infra: Record<string, string> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'deploy-infrastructure-'));
    for (const environment of ['staging', 'prod'])
      infra[environment] = writeInfraValues(dir, environment).valuesFile;
    base = {
      chartDir: CHART,
      imageTag: 'x',
      kubeconfig: writeUnreachableKubeconfig(join(dir, 'nowhere.kubeconfig')),
      tools: { helm: await toolPath('helm'), kubectl: await toolPath('kubectl') },
    };
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const attempt = (options: Partial<DeployOptions> & { environment: string }) =>
    deploy({ ...base, ...options }).then(
      () => 'deployed',
      (error: unknown) =>
        `${error instanceof DeployInputError ? 'input' : 'failure'}: ${(error as Error).message}`,
    );

  it('prod without its values, even with --set infrastructure.required=false', async () => {
    expect(await attempt({ environment: 'prod', set: ['infrastructure.required=false'] })).toMatch(
      /^input: prod deploys only with the values its infrastructure stack produces \(/,
    );
  });

  it("prod with staging's values, and dev with prod's", async () => {
    expect(await attempt({ environment: 'prod', values: [infra.staging ?? ''] })).toMatch(
      /^input: the infrastructure values given were written for staging \(infrastructure\.environment: staging\), not for prod: /,
    );
    expect(await attempt({ environment: 'dev', values: [infra.prod ?? ''] })).toMatch(
      /^input: the infrastructure values given were written for prod \(infrastructure\.environment: prod\), not for dev: /,
    );
  });

  it("prod with its values, then a --set that puts one of values-prod.yaml's ids back", async () => {
    const placeholders = (own('prod').podSecurityGroups as { groupIds: Record<string, string[]> }).groupIds;
    const ids = ['sg-0123456789abcdef0', placeholders.discounts?.[1] ?? ''];
    expect(
      await attempt({
        environment: 'prod',
        values: [infra.prod ?? ''],
        set: [`podSecurityGroups.groupIds.discounts={${ids.join(',')}}`],
      }),
    ).toMatch(
      /^input: prod would run with the placeholder pod security group ids of values-prod\.yaml for discounts: /,
    );
  });

  it('values the chart does not accept', async () => {
    expect(await attempt({ environment: 'dev', set: ['infrastructure.requierd=true'] })).toMatch(
      /^input: the chart does not render with these values: [\s\S]*additional properties 'requierd' not allowed/,
    );
  });

  it.each([
    ['dev', []],
    ['staging', ['staging']],
    ['prod', ['prod']],
  ])('%s with the values it needs goes on to the cluster', async (environment, files) => {
    expect(await attempt({ environment, values: files.map((name) => infra[name] ?? '') })).toMatch(
      /^input: the cluster does not answer /,
    );
  });
});
