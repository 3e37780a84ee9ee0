import { parseArgs } from 'node:util';
import { InfraConfigError } from '../config';
import { networkModel, NetworkModelError, readStackConfig } from '../networkModel';

/**
 * `npm run network-model -- --stack <dev|staging|prod>`: the stack's network model as JSON on
 * standard output (security groups and their rules, CIDRs, CoreDNS, the load balancer, the VPC CNI
 * settings), from its configuration alone; the flow verifier reads it with --network-model.
 */
function main(argv: string[]): number {
  try {
    const { values } = parseArgs({ args: argv, options: { stack: { type: 'string' } } });
    if (!values.stack)
      throw new NetworkModelError('usage: npm run network-model -- --stack <dev|staging|prod>');
    process.stdout.write(
      `${JSON.stringify(networkModel(readStackConfig(values.stack), values.stack), null, 2)}\n`,
    );
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
