// Writes the pictures of the seeded catalog: one small SVG per item of apps/items/src/seed-catalog.ts,
// named as the items service names them (`/images/items/<slug>.svg`), plus the placeholder shown for
// an item without a picture. Deterministic (the same names give the same files); it reads the catalog
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

const here = dirname(fileURLToPath(import.meta.url));

// Each category's colours: background, a second background tone, ink and accent.
const PALETTES = {
  kitchen: ['#fde6d8', '#fbcfb4', '#9a3412', '#f97316'],
  lighting: ['#fdf3c8', '#fbe28c', '#854d0e', '#eab308'],
  office: ['#dde8fb', '#bcd2f7', '#1e3a8a', '#3b82f6'],
  audio: ['#ebe1fc', '#d5c3fa', '#5b21b6', '#8b5cf6'],
  outdoors: ['#daf2e0', '#b5e4c1', '#166534', '#22c55e'],
  home: ['#fae0e5', '#f5c0cb', '#9f1239', '#f43f5e'],
};
const NEUTRAL = ['#e5e9ef', '#cfd6e0', '#334155', '#64748b'];

// One drawn motif per category, in a 160 x 160 box; `i` is the ink colour, `a` the accent.
const MOTIFS = {
  // A steaming pot.
  kitchen: (i, a) =>
    `<path d="M58 36q8-10 0-20m22 20q8-10 0-20m22 20q8-10 0-20" fill="none" stroke="${i}" stroke-width="5" stroke-linecap="round" opacity=".45"/>` +
    `<path d="M30 70h100v42a28 28 0 0 1-28 28H58a28 28 0 0 1-28-28z" fill="${i}"/>` +
    `<rect x="22" y="56" width="116" height="16" rx="8" fill="${a}"/>` +
    `<path d="M66 56a14 14 0 0 1 28 0" fill="none" stroke="${i}" stroke-width="7"/>` +
    `<path d="M30 84H16m114 0h14" stroke="${i}" stroke-width="9" stroke-linecap="round"/>` +
    `<rect x="46" y="90" width="36" height="8" rx="4" fill="#fff" opacity=".35"/>`,
  // A light bulb with rays.
  lighting: (i, a) =>
    `<path d="M80 8v14M24 30l10 10m102-10-10 10M8 84h14m116 0h14" stroke="${i}" stroke-width="6" stroke-linecap="round" opacity=".5"/>` +
    `<path d="M80 36a44 44 0 0 0-26 80c6 5 8 10 8 16h36c0-6 2-11 8-16a44 44 0 0 0-26-80z" fill="${a}"/>` +
    `<path d="M68 110l12-26 12 26" fill="none" stroke="${i}" stroke-width="4" stroke-linejoin="round"/>` +
    `<rect x="60" y="132" width="40" height="10" rx="4" fill="${i}"/>` +
    `<rect x="64" y="145" width="32" height="9" rx="4" fill="${i}"/>` +
    `<circle cx="66" cy="64" r="9" fill="#fff" opacity=".45"/>`,
  // A notebook and a pencil.
  office: (i, a) =>
    `<rect x="28" y="20" width="88" height="120" rx="8" fill="${i}"/>` +
    `<rect x="40" y="20" width="76" height="120" rx="6" fill="#fff" opacity=".92"/>` +
    `<path d="M54 48h48M54 66h48M54 84h48M54 102h32" stroke="${a}" stroke-width="5" stroke-linecap="round"/>` +
    `<circle cx="34" cy="40" r="4" fill="#fff"/><circle cx="34" cy="80" r="4" fill="#fff"/><circle cx="34" cy="120" r="4" fill="#fff"/>` +
    `<g transform="rotate(35 122 84)"><rect x="114" y="30" width="16" height="96" rx="3" fill="${a}"/>` +
    `<path d="M114 126h16l-8 18z" fill="${i}"/><rect x="114" y="30" width="16" height="12" fill="${i}" opacity=".6"/></g>`,
  // A speaker.
  audio: (i, a) =>
    `<rect x="36" y="14" width="88" height="132" rx="14" fill="${i}"/>` +
    `<circle cx="80" cy="98" r="30" fill="${a}"/><circle cx="80" cy="98" r="16" fill="${i}"/>` +
    `<circle cx="80" cy="98" r="6" fill="#fff" opacity=".6"/>` +
    `<circle cx="80" cy="44" r="14" fill="${a}"/><circle cx="80" cy="44" r="6" fill="${i}"/>` +
    `<path d="M136 66q12 14 0 28m8-40q22 26 0 52" fill="none" stroke="${i}" stroke-width="5" stroke-linecap="round" opacity=".45"/>`,
  // Mountains under a sun.
  outdoors: (i, a) =>
    `<circle cx="116" cy="40" r="18" fill="${a}"/>` +
    `<path d="M4 140 56 52l30 50 18-28 52 66z" fill="${i}"/>` +
    `<path d="M56 52 44 72l12-6 10 8z" fill="#fff" opacity=".85"/>` +
    `<path d="M104 74 96 87l8-4 7 5z" fill="#fff" opacity=".85"/>`,
  // A plant in a pot.
  home: (i, a) =>
    `<path d="M80 96V40" stroke="${i}" stroke-width="5"/>` +
    `<path d="M80 70C56 70 40 54 40 30c24 0 40 16 40 40zm0-12c0-24 16-40 40-40 0 24-16 40-40 40z" fill="${a}"/>` +
    `<path d="M80 88c-18 0-30-10-30-28 18 0 30 10 30 28zm0 0c0-18 12-28 30-28 0 18-12 28-30 28z" fill="${a}" opacity=".75"/>` +
    `<path d="M44 96h72l-10 50H54z" fill="${i}"/><rect x="38" y="92" width="84" height="14" rx="5" fill="${i}"/>`,
};

// A parcel, for a category without a motif of its own.
const PARCEL = (i, a) =>
  `<path d="M80 20 140 48v64l-60 28-60-28V48z" fill="${i}"/>` +
  `<path d="M20 48l60 28 60-28M80 76v64" fill="none" stroke="#fff" stroke-width="4" opacity=".5"/>` +
  `<path d="M50 34l60 28v20" fill="none" stroke="${a}" stroke-width="8"/>`;

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

/** The picture of one item: its category's colours and motif, varied by its name. */
export function itemSvg(name, category) {
  const [bg, bg2, ink, accent] = PALETTES[category] ?? NEUTRAL;
  const motif = MOTIFS[category] ?? PARCEL;
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
        ? `<circle cx="${x}" cy="${y}" r="${r}" fill="${colour}" opacity=".12"/>`
        : `<rect x="${x}" y="${y}" width="${r}" height="${r}" rx="${round(r / 4)}" fill="${colour}" opacity=".1" transform="rotate(${Math.floor(next() * 90)} ${x} ${y})"/>`,
    );
  }
  const tilt = Math.round(next() * 16 - 8);
  const dx = Math.round(next() * 60 - 30);
  const id = `g${hash(name).toString(36)}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300" viewBox="0 0 400 300">`,
    `<defs><linearGradient id="${id}" gradientTransform="rotate(${angle} .5 .5)">`,
    `<stop offset="0" stop-color="${bg}"/><stop offset="1" stop-color="${bg2}"/></linearGradient></defs>`,
    `<rect width="400" height="300" fill="url(#${id})"/>`,
    ...shapes,
    `<ellipse cx="${200 + dx}" cy="258" rx="86" ry="12" fill="${ink}" opacity=".12"/>`,
    `<g transform="translate(${120 + dx} 84) rotate(${tilt} 80 80)">${motif(ink, accent)}</g>`,
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
