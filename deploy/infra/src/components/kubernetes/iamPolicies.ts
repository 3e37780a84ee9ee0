import * as pulumi from '@pulumi/pulumi';
import { policyDocument } from '../iam';

/** What the load balancer controller tags its own resources with; its policy is scoped by it. */
const CLUSTER_TAG = 'elbv2.k8s.aws/cluster';

/**
 * The AWS Load Balancer Controller's policy (docs/install/iam_policy.json of v2.14): read access
 * for discovery, and changes only to load balancers, target groups and security groups that carry
 * the controller's cluster tag (set when it creates them, which is the only time it may add it).
 */
export function loadBalancerControllerPolicy(partition: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.output(partition).apply((aws) => {
    const elb = (resource: string) => `arn:${aws}:elasticloadbalancing:*:*:${resource}`;
    const balancers = [elb('targetgroup/*/*'), elb('loadbalancer/net/*/*'), elb('loadbalancer/app/*/*')];
    const securityGroups = `arn:${aws}:ec2:*:*:security-group/*`;
    return policyDocument([
      {
        Sid: 'ServiceLinkedRole',
        Action: 'iam:CreateServiceLinkedRole',
        Resource: '*',
        Condition: { StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' } },
      },
      {
        Sid: 'Describe',
        Action: [
          'ec2:DescribeAccountAttributes',
          'ec2:DescribeAddresses',
          'ec2:DescribeAvailabilityZones',
          'ec2:DescribeInternetGateways',
          'ec2:DescribeVpcs',
          'ec2:DescribeVpcPeeringConnections',
          'ec2:DescribeSubnets',
          'ec2:DescribeSecurityGroups',
          'ec2:DescribeInstances',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeTags',
          'ec2:GetCoipPoolUsage',
          'ec2:DescribeCoipPools',
          'ec2:GetSecurityGroupsForVpc',
          'ec2:DescribeIpamPools',
          'ec2:DescribeRouteTables',
          'elasticloadbalancing:DescribeLoadBalancers',
          'elasticloadbalancing:DescribeLoadBalancerAttributes',
          'elasticloadbalancing:DescribeListeners',
          'elasticloadbalancing:DescribeListenerCertificates',
          'elasticloadbalancing:DescribeSSLPolicies',
          'elasticloadbalancing:DescribeRules',
          'elasticloadbalancing:DescribeTargetGroups',
          'elasticloadbalancing:DescribeTargetGroupAttributes',
          'elasticloadbalancing:DescribeTargetHealth',
          'elasticloadbalancing:DescribeTags',
          'elasticloadbalancing:DescribeTrustStores',
          'elasticloadbalancing:DescribeListenerAttributes',
          'elasticloadbalancing:DescribeCapacityReservation',
        ],
        Resource: '*',
      },
      {
        Sid: 'Integrations',
        Action: [
          'cognito-idp:DescribeUserPoolClient',
          'acm:ListCertificates',
          'acm:DescribeCertificate',
          'iam:ListServerCertificates',
          'iam:GetServerCertificate',
          'waf-regional:GetWebACL',
          'waf-regional:GetWebACLForResource',
          'waf-regional:AssociateWebACL',
          'waf-regional:DisassociateWebACL',
          'wafv2:GetWebACL',
          'wafv2:GetWebACLForResource',
          'wafv2:AssociateWebACL',
          'wafv2:DisassociateWebACL',
          'shield:GetSubscriptionState',
          'shield:DescribeProtection',
          'shield:CreateProtection',
          'shield:DeleteProtection',
        ],
        Resource: '*',
      },
      {
        Sid: 'SecurityGroupRules',
        Action: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress'],
        Resource: '*',
      },
      { Sid: 'CreateSecurityGroup', Action: 'ec2:CreateSecurityGroup', Resource: '*' },
      {
        Sid: 'TagNewSecurityGroup',
        Action: 'ec2:CreateTags',
        Resource: securityGroups,
        Condition: {
          StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' },
          Null: { [`aws:RequestTag/${CLUSTER_TAG}`]: 'false' },
        },
      },
      {
        Sid: 'TagOwnSecurityGroups',
        Action: ['ec2:CreateTags', 'ec2:DeleteTags'],
        Resource: securityGroups,
        Condition: {
          Null: { [`aws:RequestTag/${CLUSTER_TAG}`]: 'true', [`aws:ResourceTag/${CLUSTER_TAG}`]: 'false' },
        },
      },
      {
        Sid: 'ManageOwnSecurityGroups',
        Action: [
          'ec2:AuthorizeSecurityGroupIngress',
          'ec2:RevokeSecurityGroupIngress',
          'ec2:DeleteSecurityGroup',
        ],
        Resource: '*',
        Condition: { Null: { [`aws:ResourceTag/${CLUSTER_TAG}`]: 'false' } },
      },
      {
        Sid: 'CreateTaggedBalancers',
        Action: ['elasticloadbalancing:CreateLoadBalancer', 'elasticloadbalancing:CreateTargetGroup'],
        Resource: '*',
        Condition: { Null: { [`aws:RequestTag/${CLUSTER_TAG}`]: 'false' } },
      },
      {
        Sid: 'Listeners',
        Action: [
          'elasticloadbalancing:CreateListener',
          'elasticloadbalancing:DeleteListener',
          'elasticloadbalancing:CreateRule',
          'elasticloadbalancing:DeleteRule',
        ],
        Resource: '*',
      },
      {
        Sid: 'TagOwnBalancers',
        Action: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
        Resource: balancers,
        Condition: {
          Null: { [`aws:RequestTag/${CLUSTER_TAG}`]: 'true', [`aws:ResourceTag/${CLUSTER_TAG}`]: 'false' },
        },
      },
      {
        Sid: 'TagListeners',
        Action: ['elasticloadbalancing:AddTags', 'elasticloadbalancing:RemoveTags'],
        Resource: [
          elb('listener/net/*/*/*'),
          elb('listener/app/*/*/*'),
          elb('listener-rule/net/*/*/*'),
          elb('listener-rule/app/*/*/*'),
        ],
      },
      {
        Sid: 'ManageOwnBalancers',
        Action: [
          'elasticloadbalancing:ModifyLoadBalancerAttributes',
          'elasticloadbalancing:SetIpAddressType',
          'elasticloadbalancing:SetSecurityGroups',
          'elasticloadbalancing:SetSubnets',
          'elasticloadbalancing:DeleteLoadBalancer',
          'elasticloadbalancing:ModifyTargetGroup',
          'elasticloadbalancing:ModifyTargetGroupAttributes',
          'elasticloadbalancing:DeleteTargetGroup',
          'elasticloadbalancing:ModifyListenerAttributes',
          'elasticloadbalancing:ModifyCapacityReservation',
          'elasticloadbalancing:ModifyIpPools',
        ],
        Resource: '*',
        Condition: { Null: { [`aws:ResourceTag/${CLUSTER_TAG}`]: 'false' } },
      },
      {
        Sid: 'TagOnCreate',
        Action: 'elasticloadbalancing:AddTags',
        Resource: balancers,
        Condition: {
          StringEquals: { 'elasticloadbalancing:CreateAction': ['CreateTargetGroup', 'CreateLoadBalancer'] },
          Null: { [`aws:RequestTag/${CLUSTER_TAG}`]: 'false' },
        },
      },
      {
        Sid: 'Targets',
        Action: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
        Resource: elb('targetgroup/*/*'),
      },
      {
        Sid: 'ListenerSettings',
        Action: [
          'elasticloadbalancing:SetWebAcl',
          'elasticloadbalancing:ModifyListener',
          'elasticloadbalancing:AddListenerCertificates',
          'elasticloadbalancing:RemoveListenerCertificates',
          'elasticloadbalancing:ModifyRule',
          'elasticloadbalancing:SetRulePriorities',
        ],
        Resource: '*',
      },
    ]);
  });
}

/**
 * DNS-01 in Route 53: TXT records named _acme-challenge.* in the one hosted zone, and polling the
 * change until it is in sync.
 */
export function route53ChallengePolicy(
  partition: pulumi.Input<string>,
  zoneId: string,
): pulumi.Output<string> {
  return pulumi.output(partition).apply((aws) =>
    policyDocument([
      {
        Sid: 'ChallengeRecords',
        Action: 'route53:ChangeResourceRecordSets',
        Resource: `arn:${aws}:route53:::hostedzone/${zoneId}`,
        Condition: {
          'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsRecordTypes': ['TXT'] },
          'ForAllValues:StringLike': {
            'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['_acme-challenge.*'],
          },
        },
      },
      {
        Sid: 'ReadRecords',
        Action: 'route53:ListResourceRecordSets',
        Resource: `arn:${aws}:route53:::hostedzone/${zoneId}`,
      },
      { Sid: 'ChangeStatus', Action: 'route53:GetChange', Resource: `arn:${aws}:route53:::change/*` },
    ]),
  );
}

/** Writing container logs into one log group: its streams and events, nothing else. */
export function containerLogsPolicy(logGroupArn: pulumi.Input<string>): pulumi.Output<string> {
  return policyDocument([
    {
      Sid: 'ContainerLogs',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      // The group's ARN without the trailing `:*`, then its streams.
      Resource: pulumi.interpolate`${pulumi.output(logGroupArn).apply((arn) => arn.replace(/:\*$/, ''))}:*`,
    },
  ]);
}
