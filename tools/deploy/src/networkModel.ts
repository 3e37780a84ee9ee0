import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { parseNetworkModel, type NetworkModel } from '@platform/netpol';

/** The infrastructure's own script (`npm run network-model`), from its build. */
const SCRIPT = require.resolve('@platform/infra/dist/scripts/network-model.js');

/**
 * A stack's network model, as `npm run network-model -- --stack <stack>` prints it: its subnets
 * (where pods take addresses), security groups and VPC CNI settings, from its configuration alone.
 * With `outputsFile` (`pulumi stack output --json` of the deployed stack, the script's --outputs),
 * its groups carry the deployed ids instead of the placeholders.
 */
export function stackNetworkModel(stack: string, outputsFile?: string): NetworkModel {
  const args = [SCRIPT, '--stack', stack, ...(outputsFile === undefined ? [] : ['--outputs', outputsFile])];
  const text = execFileSync(process.execPath, args, { encoding: 'utf8' });
  return parseNetworkModel(JSON.parse(text) as unknown, `network model of ${stack}`);
}

/** Writes a stack's network model where the verifier's --network-model can read it. */
export function writeStackNetworkModel(stack: string, file: string, outputsFile?: string): NetworkModel {
  const model = stackNetworkModel(stack, outputsFile);
  writeFileSync(file, `${JSON.stringify(model, null, 2)}\n`);
  return model;
}
