import * as pulumi from '@pulumi/pulumi';
import { DocumentDb, documentDbUrl, parameterGroupFamily } from '../src/components/database';
import type { PlatformConfig } from '../src/config';
import { Naming } from '../src/naming';
import { isSecret, resolve, runPulumi, type PulumiRun } from './harness';
import { recordRegistrations, registration, type Registration } from './registrations';
import { PROD, settings } from './settings';

const DOCDB = 'aws:docdb/cluster:Cluster';
const INSTANCE = 'aws:docdb/clusterInstance:ClusterInstance';
const PARAMS = 'aws:docdb/clusterParameterGroup:ClusterParameterGroup';
const SECRET_VERSION = 'aws:secretsmanager/secretVersion:SecretVersion';
const KMS_KEY = 'aws:kms/key:Key';

const DATABASE_SUBNETS = ['subnet-0bbbbbbbbbbbbbbb1', 'subnet-0bbbbbbbbbbbbbbb2', 'subnet-0bbbbbbbbbbbbbbb3'];
const DATABASE_SG = 'sg-0dbdbdbdbdbdbdbdb';

interface DatabaseRun {
  run: PulumiRun<DocumentDb>;
  declared: Registration[];
}

async function documentDb(config: PlatformConfig): Promise<DatabaseRun> {
  const naming = new Naming(config);
  const declared: Registration[] = [];
  const run = await runPulumi(
    () =>
      new DocumentDb(
        naming.name('database'),
        {
          config,
          naming,
          subnetIds: pulumi.output(DATABASE_SUBNETS),
          securityGroupId: pulumi.output(DATABASE_SG),
        },
        { transformations: [recordRegistrations(declared)] },
      ),
  );
  return { run, declared };
}

const only = (run: PulumiRun<unknown>, type: string) => {
  const found = run.ofType(type);
  expect(found).toHaveLength(1);
  return found[0]!;
};

describe('DocumentDb', () => {
  let prod: DatabaseRun;
  beforeAll(async () => {
    prod = await documentDb(
      settings(PROD, { database: { backupRetentionDays: 14, preferredBackupWindow: '02:00-03:00' } }),
    );
  });

  test('places the cluster in the database subnets behind the database group, on 27017', () => {
    const subnetGroup = only(prod.run, 'aws:docdb/subnetGroup:SubnetGroup');
    expect(subnetGroup.inputs.subnetIds).toEqual(DATABASE_SUBNETS);
    expect(only(prod.run, DOCDB).inputs).toMatchObject({
      clusterIdentifier: 'platform-prod-docdb',
      engine: 'docdb',
      engineVersion: '5.0.0',
      dbSubnetGroupName: 'platform-prod-docdb',
      vpcSecurityGroupIds: [DATABASE_SG],
      port: 27017,
    });
    expect(prod.run.result.port).toBe(27017);
  });

  test('requires TLS and turns on audit and profiler logs through its parameter group', () => {
    const params = only(prod.run, PARAMS);
    expect(params.inputs).toMatchObject({ family: 'docdb5.0', name: 'platform-prod-docdb5-0' });
    const values = Object.fromEntries(
      (params.inputs.parameters as { name: string; value: string }[]).map((p) => [p.name, p.value]),
    );
    expect(values).toMatchObject({ tls: 'enabled', audit_logs: 'enabled', profiler: 'enabled' });
    expect(only(prod.run, DOCDB).inputs.dbClusterParameterGroupName).toBe('platform-prod-docdb5-0');
    expect(only(prod.run, DOCDB).inputs.enabledCloudwatchLogsExports).toEqual(['audit', 'profiler']);
  });

  test.each([
    { engineVersion: '5.0.0', family: 'docdb5.0' },
    { engineVersion: '4.0.0', family: 'docdb4.0' },
    { engineVersion: '8.0', family: 'docdb8.0' },
  ])('engine $engineVersion uses parameter group family $family', ({ engineVersion, family }) => {
    expect(parameterGroupFamily(engineVersion)).toBe(family);
  });

  test('refuses an engine version it cannot map to a parameter group family', () => {
    expect(() => parameterGroupFamily('latest')).toThrow(/database\.engineVersion: latest/);
  });

  test('encrypts storage with its own rotating KMS key', () => {
    const key = only(prod.run, KMS_KEY);
    expect(key.inputs.enableKeyRotation).toBe(true);
    expect(only(prod.run, DOCDB).inputs).toMatchObject({ storageEncrypted: true, kmsKeyId: key.state.arn });
  });

  test('keeps backups for the configured days in the configured window', () => {
    expect(only(prod.run, DOCDB).inputs).toMatchObject({
      backupRetentionPeriod: 14,
      preferredBackupWindow: '02:00-03:00',
    });
  });

  test('declares the configured number of instances, on the RSA 2048 CA of the RDS bundle', () => {
    const instances = prod.run.ofType(INSTANCE);
    expect(instances).toHaveLength(3);
    const cluster = only(prod.run, DOCDB);
    expect(instances.map((i) => i.inputs.identifier)).toEqual(
      [0, 1, 2].map((i) => `platform-prod-docdb-${i}`),
    );
    for (const instance of instances) {
      expect(instance.inputs).toMatchObject({
        clusterIdentifier: cluster.id,
        instanceClass: 'db.r6g.large',
        engine: 'docdb',
        caCertIdentifier: 'rds-ca-rsa2048-g1',
      });
    }
    expect(prod.run.result.instances).toHaveLength(3);
  });

  test.each([
    {
      deletionProtection: true,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: 'platform-prod-docdb-final',
    },
    { deletionProtection: false, skipFinalSnapshot: true, finalSnapshotIdentifier: undefined },
  ])(
    'deletion protection $deletionProtection: skip final snapshot $skipFinalSnapshot',
    async ({ deletionProtection, skipFinalSnapshot, finalSnapshotIdentifier }) => {
      const { run } = await documentDb(settings(PROD, { database: { deletionProtection } }));
      const inputs = only(run, DOCDB).inputs;
      expect(inputs.deletionProtection).toBe(deletionProtection);
      expect(inputs.skipFinalSnapshot).toBe(skipFinalSnapshot);
      expect(inputs.finalSnapshotIdentifier).toBe(finalSnapshotIdentifier);
    },
  );

  test('keeps the master credentials in Secrets Manager, as a secret everywhere', async () => {
    only(prod.run, 'random:index/randomPassword:RandomPassword');
    const secret = only(prod.run, 'aws:secretsmanager/secret:Secret');
    const version = only(prod.run, SECRET_VERSION);
    expect(version.inputs.secretId).toBe(secret.id);
    expect(await resolve(prod.run.result.secretArn)).toBe(secret.state.arn);

    const declared = registration(prod.declared, SECRET_VERSION, version.name);
    const secretString = declared.props.secretString as pulumi.Output<string>;
    expect(await isSecret(secretString)).toBe(true);
    const cluster = only(prod.run, DOCDB);
    expect(JSON.parse(await resolve(secretString))).toEqual({
      username: 'platform',
      password: 'mock-password-of-platform-prod-docdb-master-password',
      host: cluster.state.endpoint,
      port: 27017,
    });
    const masterPassword = registration(prod.declared, DOCDB, cluster.name).props
      .masterPassword as pulumi.Output<string>;
    expect(await isSecret(masterPassword)).toBe(true);
  });

  test('builds secret connection strings with TLS, the mounted CA, the replica set and no retryable writes', async () => {
    const url = prod.run.result.connectionUrl('items');
    expect(await isSecret(url)).toBe(true);
    const parsed = new URL(await resolve(url));
    expect(parsed.protocol).toBe('mongodb:');
    expect(parsed.username).toBe('platform');
    expect(decodeURIComponent(parsed.password)).toBe('mock-password-of-platform-prod-docdb-master-password');
    expect(parsed.host).toBe(`${String(only(prod.run, DOCDB).state.endpoint)}:27017`);
    expect(parsed.pathname).toBe('/items');
    expect(Object.fromEntries(parsed.searchParams)).toEqual({
      tls: 'true',
      tlsCAFile: '/etc/platform/database-ca/ca.pem',
      replicaSet: 'rs0',
      readPreference: 'secondaryPreferred',
      retryWrites: 'false',
      authSource: 'admin',
    });
  });

  test('escapes credentials that contain URL delimiters', () => {
    const url = documentDbUrl('ops user', 'p@ss:w/rd?#%', 'db.example.com', 'auth');
    expect(
      url.startsWith('mongodb://ops%20user:p%40ss%3Aw%2Frd%3F%23%25@db.example.com:27017/auth?tls=true&'),
    ).toBe(true);
    const parsed = new URL(url);
    expect(decodeURIComponent(parsed.password)).toBe('p@ss:w/rd?#%');
  });
});
