// @vitest-environment node
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  AppliesTo,
  Discount,
  DiscountPage,
  Item,
  ItemInput,
  ItemPage,
  Quote,
  QuoteRequest,
  Role,
  Session,
} from '../src/api/types';

/**
 * src/api/generated is generated from the services' OpenAPI documents and committed; the script
 * regenerates it in memory and compares, so a service change without new types fails here.
 */
const script = join(__dirname, '..', 'scripts', 'api-types.mjs');
const generated = join(__dirname, '..', 'src', 'api', 'generated');
const run = (...args: string[]) => {
  const result = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
};

describe('the generated API types', () => {
  it('match what the services document now (else: npm run api-types -w @platform/frontend)', () => {
    const { status, output } = run('--check');
    expect(output).toContain('are up to date');
    expect(status).toBe(0);
  }, 30_000);

  it('are reported stale, by file, when they differ', () => {
    const copy = mkdtempSync(join(tmpdir(), 'api-types-'));
    try {
      cpSync(generated, copy, { recursive: true });
      writeFileSync(join(copy, 'items.ts'), '// an older generation\n');
      const { status, output } = run('--check', '--out', copy);
      expect(output).toMatch(/API types out of date in .*: items\.ts\. Run npm run api-types/);
      expect(status).toBe(1);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  }, 30_000);

  it('give the app its types, derived from the services’ documents', () => {
    // Checked by the compiler (tsc and vitest's typecheck); nothing to run.
    expectTypeOf<Item>().toHaveProperty('priceCents').toEqualTypeOf<number>();
    expectTypeOf<Item['image']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<ItemPage>().toHaveProperty('total').toEqualTypeOf<number>();
    expectTypeOf<ItemPage['items'][number]>().toEqualTypeOf<Item>();
    expectTypeOf<ItemInput>().toHaveProperty('name').toEqualTypeOf<string>();
    expectTypeOf<Discount>().toHaveProperty('appliesTo').toEqualTypeOf<AppliesTo>();
    expectTypeOf<AppliesTo['type']>().toEqualTypeOf<'all' | 'category' | 'items'>();
    expectTypeOf<DiscountPage>().toHaveProperty('total').toEqualTypeOf<number>();
    expectTypeOf<Quote>().toHaveProperty('totalCents').toEqualTypeOf<number>();
    expectTypeOf<QuoteRequest['lines'][number]>().toEqualTypeOf<{ itemId: string; quantity: number }>();
    expectTypeOf<Role>().toEqualTypeOf<'user' | 'admin'>();
    expectTypeOf<Session>().toEqualTypeOf<{
      accessToken: string;
      expiresIn: number;
      user: { id: string; email: string; name: string | null; roles: Role[] };
    }>();
  });
});
