// @vitest-environment node
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { itemImageSlug } from '../../items/src/item-image';
import { DEMO_CATALOG } from '../../items/src/seed-catalog';
import { writeItemImages } from '../scripts/item-images.mjs';

/** The pictures of the seeded catalog ship with the web app (scripts/item-images.mjs writes them). */
const images = join(__dirname, '..', 'public', 'images');

describe('the seeded items’ pictures', () => {
  it('exist for every seeded item, under the name the items service gives them', () => {
    for (const [name] of DEMO_CATALOG) {
      const path = join(images, 'items', `${itemImageSlug(name)}.svg`);
      const svg = readFileSync(path, 'utf8');
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(statSync(path).size).toBeLessThan(4096);
    }
    expect(readFileSync(join(images, 'item-placeholder.svg'), 'utf8')).toContain('<svg');
  });

  it('are each different', () => {
    const contents = DEMO_CATALOG.map(([name]) =>
      readFileSync(join(images, 'items', `${itemImageSlug(name)}.svg`), 'utf8'),
    );
    expect(new Set(contents).size).toBe(DEMO_CATALOG.length);
  });

  it('are up to date: the generator writes exactly the committed files', () => {
    const out = mkdtempSync(join(tmpdir(), 'item-images-'));
    try {
      writeItemImages(out);
      const committed = readdirSync(join(images, 'items')).sort();
      expect(readdirSync(join(out, 'items')).sort()).toEqual(committed);
      for (const file of committed)
        expect(readFileSync(join(out, 'items', file), 'utf8')).toBe(
          readFileSync(join(images, 'items', file), 'utf8'),
        );
      expect(readFileSync(join(out, 'item-placeholder.svg'), 'utf8')).toBe(
        readFileSync(join(images, 'item-placeholder.svg'), 'utf8'),
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
