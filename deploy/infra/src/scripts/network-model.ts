import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { InfraConfigError } from '../config';
import { networkModel, NetworkModelError, readStackConfig, withDeployedIds } from '../networkModel';

/**
 * `npm run network-model -- --stack <dev|staging|prod>`: the stack's network model as JSON on
 * standard output (security groups and their rules, CIDRs, CoreDNS, the load balancer, the VPC CNI
 * settings), from its configuration alone; the flow verifier reads it with --network-model.
 * Group ids are placeholders; `--outputs FILE` (`pulumi stack output --json`, `-` for standard
 * input) puts the deployed stack's ids in their place.
 */
function main(argv: string[]): number {
  try {
    const { values } = parseArgs({
      args: argv,
      options: { stack: { type: 'string' }, outputs: { type: 'string' } },
    });
    if (!values.stack)
      throw new NetworkModelError(
        'usage: npm run network-model -- --stack <dev|staging|prod> [--outputs <stack outputs.json> | -]',
      );
    let model = networkModel(readStackConfig(values.stack), values.stack);
    if (values.outputs !== undefined) {
      const file = values.outputs;
      let outputs: unknown;
      try {
        outputs = JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8'));
      } catch (error) {
        throw new NetworkModelError(`--outputs ${file}: ${(error as Error).message}`);
      }
      model = withDeployedIds(model, outputs);
    }
    process.stdout.write(`${JSON.stringify(model, null, 2)}\n`);
    return 0;
  } catch (error) {
    if (
      error instanceof NetworkModelError ||
      error instanceof InfraConfigError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      process.stderr.write(`network-model: ${(error as Error).message}\n`);
      return 2;
    }
    throw error;
  }
}

process.exitCode = main(process.argv.slice(2));
