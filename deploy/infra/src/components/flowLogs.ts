import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { PlatformConfig } from '../config';
import type { Naming } from '../naming';
import { policyDocument, serviceTrustPolicy } from './iam';

export interface FlowLogsArgs {
  config: PlatformConfig;
  naming: Naming;
  vpcId: pulumi.Input<string>;
}

/**
 * Flow logs of all traffic, accepted and rejected, at the finest aggregation: the record of who
 * talked to whom when a security group or NetworkPolicy question comes up.
 */
export class FlowLogs extends pulumi.ComponentResource {
  readonly logGroupName: pulumi.Output<string>;

  constructor(name: string, args: FlowLogsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('platform:infra:FlowLogs', name, {}, opts);
    const { config, naming } = args;
    const parent = { parent: this };

    const logGroup = new aws.cloudwatch.LogGroup(
      naming.name('flow-logs'),
      {
        name: `/vpc/${naming.prefix}/flow-logs`,
        retentionInDays: config.flowLogRetentionDays,
        tags: naming.tags('flow-logs'),
      },
      parent,
    );
    const account = aws.getCallerIdentityOutput({}, parent).accountId;
    // Only the flow logs service, on behalf of this account, may assume it: no confused deputy.
    const role = new aws.iam.Role(
      naming.name('flow-logs'),
      {
        assumeRolePolicy: serviceTrustPolicy('vpc-flow-logs.amazonaws.com', {
          StringEquals: { 'aws:SourceAccount': account },
        }),
        tags: naming.tags('flow-logs'),
      },
      parent,
    );
    new aws.iam.RolePolicy(
      naming.name('flow-logs-write'),
      {
        role: role.id,
        policy: policyDocument([
          {
            Sid: 'WriteThisLogGroupOnly',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
            Resource: [logGroup.arn, pulumi.interpolate`${logGroup.arn}:*`],
          },
        ]),
      },
      parent,
    );
    new aws.ec2.FlowLog(
      naming.name('flow-log'),
      {
        vpcId: args.vpcId,
        trafficType: 'ALL',
        logDestinationType: 'cloud-watch-logs',
        logDestination: logGroup.arn,
        iamRoleArn: role.arn,
        maxAggregationInterval: 60,
        tags: naming.tags('flow-log'),
      },
      parent,
    );
    this.logGroupName = logGroup.name;
    this.registerOutputs({ logGroupName: this.logGroupName });
  }
}
