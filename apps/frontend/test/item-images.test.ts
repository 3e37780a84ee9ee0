// @vitest-environment node
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { itemImageSlug } from '../../items/src/item-image';
import { DEMO_CATALOG } from '../../items/src/seed-catalog';
import { DRAWINGS } from '../scripts/item-drawings.mjs';
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

  it('each show their own item: every seeded item has a drawing, and no two drawings are alike', () => {
    const colours = { ink: '#111111', accent: '#222222' };
    const drawings = DEMO_CATALOG.map(([name]) => {
      const draw = DRAWINGS[name];
      expect({ name, drawing: typeof draw }).toEqual({ name, drawing: 'function' });
      return draw?.(colours);
    });
    expect(new Set(drawings).size).toBe(DEMO_CATALOG.length);
  });

  it('are well-formed: no element names an attribute twice', () => {
    for (const [name] of DEMO_CATALOG) {
      const svg = readFileSync(join(images, 'items', `${itemImageSlug(name)}.svg`), 'utf8');
      for (const [tag] of svg.matchAll(/<[a-zA-Z][^>]*>/g)) {
        const attributes = [...tag.matchAll(/\s([a-zA-Z:-]+)=/g)].map(([, attribute]) => attribute);
        const repeated = attributes.filter((attribute, index) => attributes.indexOf(attribute) !== index);
        expect({ name, tag, repeated }).toEqual({ name, tag, repeated: [] });
      }
    }
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
