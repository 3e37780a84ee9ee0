import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import type { PlatformConfig } from '../config';
import type { Naming } from '../naming';
import type { DatabaseEndpoint } from './contracts';

export interface DocumentDbArgs {
  config: PlatformConfig;
  naming: Naming;
  subnetIds: pulumi.Output<string[]>;
  securityGroupId: pulumi.Output<string>;
}

export const DOCUMENTDB_PORT = 27017;
/** Where the chart mounts the RDS CA bundle in the API services' containers. */
export const DATABASE_CA_FILE = '/etc/platform/database-ca/ca.pem';
/** The CA the instances' TLS certificates chain to; it is in the RDS global bundle. */
const INSTANCE_CA = 'rds-ca-rsa2048-g1';

/** The cluster parameter group family of an engine version: 5.0.0 -> docdb5.0. */
export function parameterGroupFamily(engineVersion: string): string {
  const match = /^(\d+)\.(\d+)(\.\d+)?$/.exec(engineVersion);
  if (!match)
    throw new Error(`database.engineVersion: ${engineVersion} is not a DocumentDB version such as 5.0.0`);
  return `docdb${match[1]}.${match[2]}`;
}

/**
 * The query of a DocumentDB connection string: TLS verified against the mounted CA bundle, the
 * cluster's fixed replica set name, reads spread over the replicas, and no retryable writes
 * (DocumentDB does not support them).
 */
export const DOCUMENTDB_URL_QUERY = [
  'tls=true',
  `tlsCAFile=${DATABASE_CA_FILE}`,
  'replicaSet=rs0',
  'readPreference=secondaryPreferred',
  'retryWrites=false',
  'authSource=admin',
].join('&');

export function documentDbUrl(username: string, password: string, host: string, database: string): string {
  const credentials = `${encodeURIComponent(username)}:${encodeURIComponent(password)}`;
  return `mongodb://${credentials}@${host}:${DOCUMENTDB_PORT}/${encodeURIComponent(database)}?${DOCUMENTDB_URL_QUERY}`;
}

/**
 * An Amazon DocumentDB cluster in the isolated database subnets: TLS required, storage encrypted
 * with our own key, audit and profiler logs exported, backups kept, and the master credentials in
 * Secrets Manager.
 */
export class DocumentDb extends pulumi.ComponentResource implements DatabaseEndpoint {
  readonly endpoint: pulumi.Output<string>;
  readonly readerEndpoint: pulumi.Output<string>;
  readonly port = DOCUMENTDB_PORT;
  readonly secretArn: pulumi.Output<string>;
  readonly clusterIdentifier: pulumi.Output<string>;
  readonly instances: aws.docdb.ClusterInstance[];

  private readonly masterUsername: string;
  private readonly masterPassword: pulumi.Output<string>;

  constructor(name: string, args: DocumentDbArgs, opts?: pulumi.ComponentResourceOptions) {
    super('platform:infra:DocumentDb', name, {}, opts);
    const { naming } = args;
    const settings = args.config.database;
    const parent = { parent: this };
    const family = parameterGroupFamily(settings.engineVersion);

    const subnetGroup = new aws.docdb.SubnetGroup(
      naming.name('docdb-subnets'),
      {
        name: naming.name('docdb'),
        description: `Isolated database subnets of ${naming.prefix}`,
        subnetIds: args.subnetIds,
        tags: naming.tags('docdb-subnets'),
      },
      parent,
    );

    const parameterGroup = new aws.docdb.ClusterParameterGroup(
      naming.name('docdb-params', family.replace('.', '-')),
      {
        // Named after its family: a new engine generation gets a new group beside the old one.
        name: naming.name(family.replace('.', '-')),
        family,
        description: `TLS required, audit and profiler logs on (${naming.prefix})`,
        parameters: [
          // Static: takes effect at the instances' next reboot, which creation is.
          { name: 'tls', value: 'enabled', applyMethod: 'pending-reboot' },
          { name: 'audit_logs', value: 'enabled', applyMethod: 'immediate' },
          { name: 'profiler', value: 'enabled', applyMethod: 'immediate' },
        ],
        tags: naming.tags('docdb-params'),
      },
      parent,
    );

    const storageKey = new aws.kms.Key(
      naming.name('docdb-key'),
      {
        description: `Storage encryption of the ${naming.prefix} DocumentDB cluster`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        tags: naming.tags('docdb-key'),
      },
      parent,
    );
    new aws.kms.Alias(
      naming.name('docdb-key-alias'),
      { name: `alias/${naming.name('docdb')}`, targetKeyId: storageKey.keyId },
      parent,
    );

    // Letters and digits only: no character DocumentDB refuses (/ " @ space) and none a URL must escape.
    const password = new random.RandomPassword(
      naming.name('docdb-master-password'),
      { length: 40, special: false, minUpper: 2, minLower: 2, minNumeric: 2 },
      parent,
    );
    this.masterUsername = settings.masterUsername;
    this.masterPassword = pulumi.secret(password.result);

    const clusterIdentifier = naming.name('docdb');
    const cluster = new aws.docdb.Cluster(
      naming.name('docdb'),
      {
        clusterIdentifier,
        engine: 'docdb',
        engineVersion: settings.engineVersion,
        masterUsername: settings.masterUsername,
        masterPassword: this.masterPassword,
        port: DOCUMENTDB_PORT,
        dbSubnetGroupName: subnetGroup.name,
        dbClusterParameterGroupName: parameterGroup.name,
        vpcSecurityGroupIds: [args.securityGroupId],
        storageEncrypted: true,
        kmsKeyId: storageKey.arn,
        backupRetentionPeriod: settings.backupRetentionDays,
        preferredBackupWindow: settings.preferredBackupWindow,
        deletionProtection: settings.deletionProtection,
        // A protected database leaves a snapshot behind when it is finally deleted; a disposable one does not.
        skipFinalSnapshot: !settings.deletionProtection,
        ...(settings.deletionProtection ? { finalSnapshotIdentifier: `${clusterIdentifier}-final` } : {}),
        enabledCloudwatchLogsExports: ['audit', 'profiler'],
        tags: naming.tags('docdb'),
      },
      parent,
    );

    this.instances = Array.from(
      { length: settings.instances },
      (_, index) =>
        new aws.docdb.ClusterInstance(
          naming.name('docdb', index),
          {
            identifier: `${clusterIdentifier}-${index}`,
            clusterIdentifier: cluster.id,
            engine: 'docdb',
            instanceClass: settings.instanceClass,
            caCertIdentifier: INSTANCE_CA,
            autoMinorVersionUpgrade: true,
            tags: naming.tags(`docdb-${index}`),
          },
          parent,
        ),
    );

    // Through the instances: whoever connects waits until there is something to connect to.
    this.endpoint = pulumi
      .all([cluster.endpoint, pulumi.all(this.instances.map((instance) => instance.id))])
      .apply(([host]) => host);
    this.readerEndpoint = cluster.readerEndpoint;
    this.clusterIdentifier = cluster.clusterIdentifier;

    const secret = new aws.secretsmanager.Secret(
      naming.name('docdb-master'),
      {
        description: `Master credentials of the ${naming.prefix} DocumentDB cluster`,
        tags: naming.tags('docdb-master'),
      },
      parent,
    );
    new aws.secretsmanager.SecretVersion(
      naming.name('docdb-master'),
      {
        secretId: secret.id,
        secretString: pulumi.secret(
          pulumi.all([this.masterPassword, cluster.endpoint]).apply(([masterPassword, host]) =>
            JSON.stringify({
              username: settings.masterUsername,
              password: masterPassword,
              host,
              port: DOCUMENTDB_PORT,
            }),
          ),
        ),
      },
      parent,
    );
    this.secretArn = secret.arn;

    this.registerOutputs({
      endpoint: this.endpoint,
      readerEndpoint: this.readerEndpoint,
      secretArn: this.secretArn,
    });
  }

  /** A connection string for one logical database, with the master credentials (secret). */
  connectionUrl(database: string): pulumi.Output<string> {
    return pulumi.secret(
      pulumi
        .all([this.masterPassword, this.endpoint])
        .apply(([masterPassword, host]) =>
          documentDbUrl(this.masterUsername, masterPassword, host, database),
        ),
    );
  }
}
