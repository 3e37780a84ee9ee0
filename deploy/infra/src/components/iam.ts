import * as pulumi from '@pulumi/pulumi';

/** One statement of an IAM policy document; resources and conditions may be outputs. */
export interface PolicyStatement {
  Sid?: string;
  Effect?: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: pulumi.Input<string> | pulumi.Input<string>[];
  Principal?: Record<string, pulumi.Input<string> | pulumi.Input<string>[]>;
  Condition?: Record<string, Record<string, pulumi.Input<string> | pulumi.Input<string>[]>>;
}

/**
 * An IAM policy document as JSON, built locally rather than through the getPolicyDocument invoke:
 * one less call to the provider, and tests can read the statements back with JSON.parse.
 */
export function policyDocument(statements: PolicyStatement[]): pulumi.Output<string> {
  return pulumi
    .output(statements.map((statement) => ({ Effect: 'Allow', ...statement })))
    .apply((resolved) => JSON.stringify({ Version: '2012-10-17', Statement: resolved }));
}

/** Trust policy letting an AWS service assume a role. */
export function serviceTrustPolicy(
  service: string,
  condition?: PolicyStatement['Condition'],
): pulumi.Output<string> {
  return policyDocument([
    {
      Action: 'sts:AssumeRole',
      Principal: { Service: service },
      ...(condition ? { Condition: condition } : {}),
    },
  ]);
}

export const AWS_MANAGED_POLICY = 'arn:aws:iam::aws:policy';
