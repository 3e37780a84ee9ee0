import { PolicyPack } from '@pulumi/policy';
import { policies, POLICY_PACK_NAME } from './policies';

/**
 * The policy pack's entry point, loaded by policy-pack/index.js. Constructing the pack starts its
 * gRPC server, so nothing else imports this module.
 */
new PolicyPack(POLICY_PACK_NAME, {
  description: 'Network isolation and hardening invariants of the platform-infra stacks.',
  enforcementLevel: 'mandatory',
  policies,
});
