/**
 * Conformance with an independent analyzer: every np-guard/netpol-analyzer case within NetworkPolicy
 * v1 must give exactly its golden connectivity list (workloads, address ranges, protocols and
 * ports). The analyzer assumes ipBlocks never match pods, so these runs do too; the cases where
 * Kubernetes' own semantics (ipBlocks matching pod addresses) differ are checked apart.
 */
import { existsSync } from 'node:fs';
import { InputError } from '../src';
import { CONFORMANCE_DIR, conformanceCases, connectivityList, type ConformanceCase } from './conformance';

/** Cases whose manifests the API server itself rejects: each must be refused, naming the rule. */
const REJECTED: Record<string, { rule: string; message: RegExp }> = {};

/** Cases in scope whose golden lists are not plain connectivity lists. */
const NOT_COMPARABLE: Record<string, string> = {};

const available = existsSync(CONFORMANCE_DIR);
if (!available && process.env.CI === 'true') {
  throw new Error(`the conformance data is missing: ${CONFORMANCE_DIR}`);
}
const cases: ConformanceCase[] = available ? conformanceCases() : [];
const inScope = cases.filter((entry) => !entry.outOfScope && !(entry.name in NOT_COMPARABLE));
const compared = inScope.filter((entry) => entry.golden && !(entry.name in REJECTED));

(available ? describe : describe.skip)('np-guard/netpol-analyzer conformance', () => {
  it('reads every case, and lists what it skips with why', () => {
    const skipped = cases
      .filter((entry) => entry.outOfScope || !entry.golden || entry.name in NOT_COMPARABLE)
      .map((entry) => `${entry.name}: ${entry.outOfScope ?? NOT_COMPARABLE[entry.name] ?? 'no golden list'}`);
    // Printed so that the run records the skip list; asserted so that it cannot grow silently.
    console.log(
      `conformance: ${compared.length} compared, ${Object.keys(REJECTED).length} rejected as the API server would, ${skipped.length} skipped:\n${skipped.join('\n')}`,
    );
    expect(compared.length).toBeGreaterThan(50);
  });

  it.each(compared.map((entry) => [entry.name, entry] as const))('%s agrees', (_name, entry) => {
    expect(connectivityList(entry.dir)).toEqual(entry.golden);
  });

  it.each(Object.entries(REJECTED))('%s is refused as the API server refuses it (%s)', (name, { message }) => {
    const entry = cases.find((candidate) => candidate.name === name);
    expect(entry).toBeDefined();
    expect(() => connectivityList((entry as ConformanceCase).dir)).toThrow(InputError);
    expect(() => connectivityList((entry as ConformanceCase).dir)).toThrow(message);
  });
});
