// Writes the pictures of the seeded catalog: one small SVG per item of apps/items/src/seed-catalog.ts,
// showing that item (its drawing is in scripts/item-drawings.mjs), named as the items service names
// them (`/images/items/<slug>.svg`), plus the placeholder shown for an item without a picture. Deterministic (the same names give the same files); it reads the catalog
// and the naming rule from the items service's build (npm run build -w @platform/items):
//
//   node apps/frontend/scripts/item-images.mjs [output directory]
//
// The output directory defaults to apps/frontend/public/images; the files are committed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// The items service's own catalog and file naming (its build; both modules have no dependencies).
import { itemImageSlug } from '@platform/items/dist/item-image.js';
import { DEMO_CATALOG } from '@platform/items/dist/seed-catalog.js';
import { DRAWINGS } from './item-drawings.mjs';

const here = dirname(fileURLToPath(import.meta.url));

// Each category's colours: background, a second background tone, ink and accent. The ink is at
// least 5:1 against both background tones, above the 3:1 WCAG asks of a graphic's parts (the
// pictures are decorative besides: the item's name is next to each, and they have alt="").
const PALETTES = {
  kitchen: ['#fde6d8', '#fbcfb4', '#9a3412', '#f97316'],
  lighting: ['#fdf3c8', '#fbe28c', '#854d0e', '#eab308'],
  office: ['#dde8fb', '#bcd2f7', '#1e3a8a', '#3b82f6'],
  audio: ['#ebe1fc', '#d5c3fa', '#5b21b6', '#8b5cf6'],
  outdoors: ['#daf2e0', '#b5e4c1', '#166534', '#22c55e'],
  home: ['#fae0e5', '#f5c0cb', '#9f1239', '#f43f5e'],
};
const NEUTRAL = ['#e5e9ef', '#cfd6e0', '#334155', '#64748b'];

/** FNV-1a: a 32-bit hash of the name, the seed of the picture's variations. */
function hash(text) {
  let h = 0x811c9dc5;
  for (const char of text) {
    h ^= char.codePointAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** mulberry32: a small deterministic random number generator. */
function random(seed) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round = (value) => Math.round(value * 10) / 10;

/**
 * The picture of one item: its own drawing (scripts/item-drawings.mjs) in its category's colours,
 * on a background varied by its name. An item without a drawing is an error: every seeded item
 * shows what it is.
 */
export function itemSvg(name, category) {
  const draw = DRAWINGS[name];
  if (!draw)
    throw new Error(`no drawing for the seeded item "${name}": add one to scripts/item-drawings.mjs`);
  const [bg, bg2, ink, accent] = PALETTES[category] ?? NEUTRAL;
  const next = random(hash(name));
  const angle = Math.floor(next() * 360);
  const shapes = [];
  for (let n = 0; n < 5; n += 1) {
    const x = round(next() * 400);
    const y = round(next() * 300);
    const r = round(14 + next() * 46);
    const colour = next() < 0.5 ? accent : ink;
    shapes.push(
      next() < 0.7
        ? `<circle cx="${x}" cy="${y}" r="${r}" fill="${colour}" opacity=".1"/>`
        : `<rect x="${x}" y="${y}" width="${r}" height="${r}" rx="${round(r / 4)}" fill="${colour}" opacity=".08" transform="rotate(${Math.floor(next() * 90)} ${x} ${y})"/>`,
    );
  }
  const dx = Math.round(next() * 40 - 20);
  const id = `g${hash(name).toString(36)}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300" viewBox="0 0 400 300">`,
    `<defs><linearGradient id="${id}" gradientTransform="rotate(${angle} .5 .5)">`,
    `<stop offset="0" stop-color="${bg}"/><stop offset="1" stop-color="${bg2}"/></linearGradient></defs>`,
    `<rect width="400" height="300" fill="url(#${id})"/>`,
    ...shapes,
    `<ellipse cx="${200 + dx}" cy="246" rx="96" ry="10" fill="${ink}" opacity=".14"/>`,
    `<g transform="translate(${80 + dx} 22) scale(1.2)">${draw({ ink, accent })}</g>`,
    `</svg>`,
    '',
  ].join('\n');
}

/** The picture of an item without one: a neutral frame with a mountain and a sun. */
export function placeholderSvg() {
  const [bg, bg2] = NEUTRAL;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300" viewBox="0 0 400 300">`,
    `<rect width="400" height="300" fill="${bg}"/>`,
    `<rect x="130" y="90" width="140" height="110" rx="12" fill="none" stroke="${bg2}" stroke-width="8"/>`,
    `<circle cx="230" cy="125" r="13" fill="${bg2}"/>`,
    `<path d="M142 188l40-52 28 34 14-16 34 34z" fill="${bg2}"/>`,
    `</svg>`,
    '',
  ].join('\n');
}

/** Writes every picture into `out` (`items/<slug>.svg` and `item-placeholder.svg`); returns the paths. */
export function writeItemImages(out = join(here, '..', 'public', 'images')) {
  const written = [];
  mkdirSync(join(out, 'items'), { recursive: true });
  for (const [name, category] of DEMO_CATALOG) {
    const path = join(out, 'items', `${itemImageSlug(name)}.svg`);
    writeFileSync(path, itemSvg(name, category));
    written.push(path);
  }
  const placeholder = join(out, 'item-placeholder.svg');
  writeFileSync(placeholder, placeholderSvg());
  written.push(placeholder);
  return written;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const written = writeItemImages(process.argv[2]);
  process.stdout.write(`wrote ${written.length} pictures\n`);
}
