// The drawing of each seeded item, for scripts/item-images.mjs: SVG shapes in a 200 x 200 box whose
// floor is at y = 190. Each takes its category's colours, `ink` (dark) and `accent`, and uses
// the colours of its material (steel, wood, glass) where that is what makes it recognisable.

const STEEL = '#cbd5e1';
const STEEL_DARK = '#64748b';
const IRON = '#3f3f46';
const WOOD = '#d9a35b';
const WOOD_DARK = '#a16207';
const PAPER = '#fffdf7';
const GLASS = '#e0f2fe';
const COFFEE = '#78350f';
const WHITE = '#fff';

/** `x y w h rx fill`: a rounded rectangle. */
const box = (x, y, w, h, rx, fill, extra = '') =>
  `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="${rx}" fill="${fill}"${extra}/>`;
const dot = (cx, cy, r, fill, extra = '') =>
  `<circle cx="${cx}" cy="${cy}" r="${r}" fill="${fill}"${extra}/>`;
const shape = (d, fill, extra = '') => `<path d="${d}" fill="${fill}"${extra}/>`;
const line = (d, stroke, width, extra = '') =>
  `<path d="${d}" fill="none" stroke="${stroke}" stroke-width="${width}" stroke-linecap="round" stroke-linejoin="round"${extra}/>`;
const faint = ' opacity=".5"';

/** The grid of dots of a dotted page, `columns` x `rows`, `gap` apart from (x, y). */
function dots(x, y, columns, rows, gap, fill) {
  let d = '';
  for (let row = 0; row < rows; row += 1)
    for (let column = 0; column < columns; column += 1) d += `M${x + column * gap} ${y + row * gap}h.01`;
  return line(d, fill, 3.2);
}

/** Drawings by item name, as in the seed catalog (apps/items/src/seed-catalog.ts). */
export const DRAWINGS = {
  // kitchen
  'Stainless Steel Kettle': ({ ink, accent }) =>
    line('M66 70c0-44 68-44 68 0', ink, 12) +
    shape('M58 118 20 78l-8 8 40 56z', STEEL_DARK) +
    shape(
      'M100 58c-30 0-42 8-46 20l-10 96c0 10 6 14 14 14h84c8 0 14-4 14-14l-10-96c-4-12-16-20-46-20z',
      STEEL,
    ) +
    line('M56 80c16-10 72-10 88 0', STEEL_DARK, 4) +
    dot(100, 56, 8, ink) +
    line('M72 98l-6 70', WHITE, 8, ' opacity=".7"') +
    box(40, 172, 120, 16, 8, ink) +
    dot(142, 180, 3, accent),
  'Cast Iron Skillet': ({ accent }) =>
    box(128, 92, 70, 18, 9, IRON) +
    dot(186, 101, 4, '#e4e4e7') +
    dot(74, 101, 68, IRON) +
    dot(74, 101, 56, '#52525b') +
    line('M40 80q16-22 44-24', '#a1a1aa', 6, faint) +
    dot(60, 112, 12, '#fef3c7') +
    dot(60, 112, 6, accent) +
    dot(92, 122, 12, '#fef3c7') +
    dot(92, 122, 6, accent),
  'Chef Knife 20 cm': ({ ink }) =>
    `<g transform="rotate(-28 100 110)">` +
    shape('M126 92H30Q12 94 4 108q44 18 122 18z', STEEL) +
    line('M30 96h92', WHITE, 4, ' opacity=".8"') +
    shape('M4 108q44 18 122 18v-4Q50 122 4 108z', STEEL_DARK) +
    box(124, 90, 8, 38, 2, STEEL_DARK) +
    box(132, 92, 64, 32, 12, ink) +
    dot(148, 108, 3.5, STEEL) +
    dot(164, 108, 3.5, STEEL) +
    dot(180, 108, 3.5, STEEL) +
    `</g>`,
  'Bamboo Cutting Board': ({ accent }) =>
    box(4, 92, 192, 86, 16, WOOD_DARK) +
    box(4, 86, 192, 86, 16, WOOD) +
    line('M40 88v82M76 88v82M112 88v82M148 88v82', WOOD_DARK, 2, faint) +
    box(18, 98, 146, 62, 10, 'none', ` stroke="${WOOD_DARK}" stroke-width="3"`) +
    box(172, 114, 14, 30, 7, WOOD_DARK) +
    dot(48, 124, 18, '#ef4444') +
    dot(48, 124, 13, '#fca5a5') +
    line('M48 113v22M37 124h22', '#ef4444', 2) +
    dot(84, 142, 13, '#16a34a') +
    dot(84, 142, 9, '#bbf7d0') +
    dot(72, 110, 11, '#16a34a') +
    dot(72, 110, 7, '#bbf7d0') +
    `<g transform="rotate(-16 140 126)">` +
    shape('M98 118h60v16h-52q-10 0-8-16z', STEEL) +
    line('M104 121h50', WHITE, 2, ' opacity=".8"') +
    box(156, 116, 40, 20, 7, accent) +
    `</g>`,
  'French Press 1 L': ({ ink }) =>
    box(95, 10, 10, 34, 3, ink) +
    dot(100, 12, 9, ink) +
    box(50, 42, 96, 14, 6, IRON) +
    box(56, 54, 84, 126, 6, GLASS) +
    box(56, 104, 84, 76, 4, COFFEE) +
    box(56, 98, 84, 8, 2, '#a16207') +
    line('M68 62v108', WHITE, 6, ' opacity=".8"') +
    line('M140 70h20q14 0 14 14v56q0 14-14 14h-20', ink, 10) +
    box(52, 110, 92, 10, 3, STEEL_DARK) +
    box(48, 176, 100, 14, 5, IRON),
  'Ceramic Mug Set': ({ ink, accent }) => {
    const mug = (x, y, body, stripe) =>
      line(`M${x + 44} ${y + 16}h10q14 0 14 14v6q0 14-14 14h-10`, body, 8) +
      shape(`M${x} ${y}h48v52q0 12-12 12h-24q-12 0-12-12z`, body) +
      box(x, y + 14, 48, 8, 0, stripe) +
      line(`M${x + 8} ${y + 30}v24`, WHITE, 4, ' opacity=".4"');
    return mug(14, 80, accent, ink) + mug(110, 80, '#fef3c7', accent) + mug(62, 124, ink, '#fef3c7');
  },
  'Silicone Spatula Trio': ({ ink, accent }) => {
    const spatula = (angle, head) =>
      `<g transform="rotate(${angle} 100 186)">` +
      box(94, 84, 12, 104, 6, ink) +
      shape('M76 20h48v48q0 20-24 20t-24-20z', head) +
      line('M86 32v30', WHITE, 4, ' opacity=".5"') +
      `</g>`;
    return spatula(-24, accent) + spatula(24, '#14b8a6') + spatula(0, '#fbbf24');
  },

  // lighting
  'Desk Lamp': ({ ink, accent }) =>
    shape('M140 86 100 190h100z', accent, ' opacity=".3"') +
    box(20, 176, 84, 14, 7, ink) +
    line('M62 176 40 100l70-52', ink, 10) +
    dot(40, 100, 9, accent) +
    dot(62, 174, 8, accent) +
    `<g transform="rotate(-30 116 56)">` +
    box(106, 40, 30, 12, 6, ink) +
    shape('M104 50h36l22 44H82z', ink) +
    dot(122, 94, 12, '#fef9c3') +
    `</g>` +
    dot(110, 48, 8, accent),
  'Floor Lamp Arc': ({ ink, accent }) =>
    box(16, 164, 52, 26, 6, '#f1f5f9') +
    line('M24 172l10 8m12-14 12 10', '#94a3b8', 3) +
    line('M42 166V70Q42 14 112 14q44 0 52 40', ink, 7) +
    line('M164 54v14', ink, 4) +
    shape('M140 68h48l10 42h-68z', '#f5f5f4') +
    line('M144 72l-6 34m20-34-2 34m16-34 2 34', '#d6d3d1', 2) +
    shape('M130 110h68', 'none', ` stroke="${ink}" stroke-width="3"`) +
    shape('M138 110l-22 70h108l-22-70z', accent, ' opacity=".22"'),
  'LED Strip 5 m': ({ ink, accent }) => {
    let leds = '';
    for (let n = 0; n < 7; n += 1) {
      const x = 20 + n * 26;
      leds += dot(x, 62, 8, accent, ' opacity=".35"') + box(x - 5, 57, 10, 10, 2, '#fef08a');
      leds += dot(x, 122, 8, accent, ' opacity=".35"') + box(x - 5, 117, 10, 10, 2, '#fef08a');
    }
    return (
      line('M12 62h170q16 0 16 16v28q0 16-16 16H12', WHITE, 22) +
      line('M12 62h170q16 0 16 16v28q0 16-16 16H12', '#e7e5e4', 16) +
      leds +
      line('M12 122q-8 0-8 12v26q0 14 14 14h30', ink, 4) +
      box(48, 160, 36, 28, 6, ink) +
      box(60, 166, 12, 16, 3, accent)
    );
  },
  'Bedside Reading Light': ({ ink, accent }) =>
    shape('M150 64 104 178h92z', accent, ' opacity=".3"') +
    box(0, 150, 120, 16, 3, WOOD) +
    box(0, 166, 120, 24, 0, WOOD_DARK, ' opacity=".35"') +
    line('M96 138h26v40H96', ink, 9) +
    box(112, 146, 14, 24, 4, accent) +
    line('M108 138q-6-40 10-66t38-22', '#78716c', 10) +
    `<path d="M108 138q-6-40 10-66t38-22" fill="none" stroke="#d6d3d1" stroke-width="10" stroke-dasharray="2 6"/>` +
    `<g transform="rotate(24 156 46)">` +
    shape('M136 30h36l12 32h-60z', ink) +
    box(126, 60, 60, 7, 3, '#fef9c3') +
    `</g>`,
  'Paper Pendant Shade': ({ ink, accent }) =>
    line('M100 0v44', ink, 3) +
    box(92, 40, 16, 10, 3, ink) +
    shape('M100 48 156 76 170 122 130 170H70L30 122 44 76z', PAPER) +
    line(
      'M100 48 78 122 100 170 122 122zM44 76l34 46-48 0M156 76l-34 46h48M70 170l8-48M130 170l-8-48',
      '#d6d3d1',
      2,
    ) +
    shape('M100 48 156 76 170 122 130 170H70L30 122 44 76z', 'none', ` stroke="${ink}" stroke-width="3"`) +
    shape('M70 170h60l-14 16h-32z', accent, ' opacity=".45"'),

  // office
  'Notebook A5 Dotted': ({ ink, accent }) =>
    shape('M100 46Q66 34 16 40v128q50-6 84 8 34-14 84-8V40q-50-6-84 6z', ink) +
    shape('M100 50Q68 38 24 44v116q44-4 76 8z', PAPER) +
    shape('M100 50q32-12 76-6v116q-44-4-76 8z', PAPER) +
    dots(36, 62, 5, 8, 12, '#94a3b8') +
    dots(116, 62, 5, 8, 12, '#94a3b8') +
    line('M100 50v118', '#cbd5e1', 2) +
    box(150, 38, 8, 150, 3, accent) +
    shape('M128 30h14v34l-7-6-7 6z', '#ef4444'),
  'Fountain Pen': ({ accent }) =>
    `<g transform="rotate(-35 100 100)">` +
    shape('M2 100 46 80h14v40H46z', STEEL) +
    line('M4 100h40', STEEL_DARK, 2.5) +
    dot(40, 100, 4, STEEL_DARK) +
    shape('M58 82h72v36H58q-8-18 0-36z', IRON) +
    box(128, 80, 70, 40, 14, '#27272a') +
    box(126, 80, 8, 40, 2, STEEL) +
    box(148, 72, 46, 9, 4, STEEL) +
    line('M66 90h56', WHITE, 3, ' opacity=".25"') +
    `</g>` +
    dot(36, 170, 6, accent, faint) +
    dot(52, 180, 4, accent, faint),
  'Monitor Stand Oak': ({ ink, accent }) =>
    box(30, 14, 140, 86, 8, ink) +
    box(38, 22, 124, 70, 4, accent) +
    line('M50 40l24-10m-24 26 50-22', WHITE, 5, ' opacity=".35"') +
    box(90, 100, 20, 20, 2, ink) +
    box(66, 116, 68, 6, 3, ink) +
    box(14, 122, 172, 16, 4, WOOD) +
    line('M24 128h60m20 0h70', WOOD_DARK, 2, faint) +
    box(20, 138, 14, 52, 3, WOOD_DARK) +
    box(166, 138, 14, 52, 3, WOOD_DARK) +
    box(48, 170, 104, 18, 4, '#e2e8f0') +
    line('M58 176h84M58 182h84', '#94a3b8', 3),
  'Ergonomic Mouse': ({ ink, accent }) =>
    `<g transform="rotate(-14 100 100)">` +
    shape(
      'M100 16c40 0 54 40 54 92 0 50-22 80-54 80s-56-28-56-72c-12-6-14-22-6-34 6-8 12-10 16-10 4-34 18-56 46-56z',
      ink,
    ) +
    shape('M100 16c40 0 54 40 54 92l-54-4z', accent) +
    shape('M100 16c-28 0-42 22-46 56l46 32z', accent, ' opacity=".75"') +
    line('M100 18v86', WHITE, 3, ' opacity=".7"') +
    box(94, 40, 12, 26, 6, '#e2e8f0') +
    line('M40 100l8-6m-4 18 8-4', '#e2e8f0', 4) +
    `</g>`,
  'Mechanical Keyboard': ({ ink, accent }) => {
    // A row of keys is one dashed stroke: 11 units of key, 3 of gap.
    const keys = (x, y, length) =>
      `<path d="M${x} ${y}h${length}" stroke="#e2e8f0" stroke-width="15" stroke-dasharray="11 3"/>`;
    return (
      line('M100 48V20q0-14 16-14h60', IRON, 4) +
      box(4, 48, 192, 114, 10, ink) +
      keys(12, 65.5, 181) +
      keys(12, 85.5, 181) +
      keys(16, 105.5, 151) +
      keys(22, 125.5, 165) +
      box(12, 138, 32, 15, 2, '#e2e8f0') +
      box(48, 138, 96, 15, 2, '#e2e8f0') +
      box(148, 138, 20, 15, 2, '#e2e8f0') +
      box(172, 138, 20, 15, 2, '#e2e8f0') +
      box(12, 58, 11, 15, 2, accent) +
      box(170, 98, 22, 15, 2, accent)
    );
  },
  'Desk Organiser': ({ ink, accent }) =>
    line('M46 110 36 20M60 110l8-84', ink, 7) +
    shape('M32 18l4-14 4 14z', '#fbbf24') +
    line('M86 110 80 34', accent, 9) +
    line('M104 110l12-74', '#ef4444', 5) +
    line('M150 110q-12-30 8-44t30 8', '#334155', 4) +
    box(8, 104, 184, 84, 10, '#94a3b8') +
    line('M72 110v72M128 110v72', '#64748b', 4) +
    line('M16 126h168', WHITE, 2, ' stroke-dasharray="6 6" opacity=".6"') +
    box(150, 100, 32, 12, 4, '#64748b'),

  // audio
  'Wireless Headphones': ({ ink, accent }) =>
    line('M40 120V96a60 60 0 0 1 120 0v24', ink, 12) +
    line('M52 94a48 48 0 0 1 96 0', accent, 4, faint) +
    box(22, 104, 40, 76, 18, ink) +
    box(138, 104, 40, 76, 18, ink) +
    box(50, 110, 18, 64, 9, accent) +
    box(132, 110, 18, 64, 9, accent) +
    dot(30, 124, 3, '#22c55e'),
  'Bookshelf Speakers': ({ ink, accent }) => {
    const speaker = (x) =>
      box(x, 46, 78, 142, 8, ink) +
      dot(x + 39, 78, 14, '#334155') +
      dot(x + 39, 78, 7, accent) +
      dot(x + 39, 140, 28, '#334155') +
      dot(x + 39, 140, 20, accent) +
      dot(x + 39, 140, 8, '#334155') +
      box(x + 4, 50, 6, 134, 3, WHITE, ' opacity=".15"');
    return speaker(12) + speaker(110);
  },
  'Portable Speaker': ({ ink, accent }) =>
    line('M26 96q-16 0-16 18v18', ink, 6) +
    box(18, 86, 164, 92, 46, ink) +
    box(34, 100, 132, 64, 32, accent) +
    dots(58, 112, 8, 4, 12, ink) +
    box(78, 78, 44, 10, 5, ink) +
    dot(90, 83, 3, WHITE) +
    dot(110, 83, 3, WHITE) +
    shape('M160 20q-10 14 0 20t0-20zM180 44q-8 10 0 15t0-15z', '#38bdf8'),
  Turntable: ({ ink, accent }) =>
    box(6, 30, 188, 156, 12, WOOD) +
    box(14, 38, 172, 140, 8, '#b45309', ' opacity=".25"') +
    dot(86, 108, 66, IRON) +
    dot(86, 108, 60, '#18181b') +
    line('M86 62a46 46 0 0 1 46 46m-46-30a30 30 0 0 1 30 30', '#52525b', 2) +
    dot(86, 108, 20, accent) +
    dot(86, 108, 3, WHITE) +
    dot(168, 58, 11, STEEL) +
    line('M168 58v70l-26 30', STEEL_DARK, 5) +
    box(134, 152, 16, 12, 2, STEEL_DARK, ' transform="rotate(40 142 158)"') +
    dot(30, 166, 6, ink),
  Earbuds: ({ ink, accent }) => {
    const bud = (x, flip) =>
      `<g transform="translate(${x} 0) scale(${flip} 1)">` +
      box(-6, 40, 12, 56, 6, WHITE) +
      dot(0, 36, 18, WHITE) +
      dot(8, 34, 7, '#cbd5e1') +
      `</g>`;
    return (
      box(30, 110, 140, 78, 36, WHITE) +
      box(30, 110, 140, 78, 36, 'none', ' stroke="#cbd5e1" stroke-width="3"') +
      line('M30 140h140', '#cbd5e1', 3) +
      dot(100, 164, 4, accent) +
      line('M60 110q40-20 80 0', ink, 4, faint) +
      bud(72, 1) +
      bud(128, -1)
    );
  },

  // outdoors
  'Camping Lantern': ({ ink, accent }) =>
    line('M70 40q0-34 30-34t30 34', ink, 7) +
    dot(100, 110, 70, accent, ' opacity=".18"') +
    shape('M62 38h76l10 22H52z', ink) +
    box(58, 60, 84, 100, 10, '#fef9c3') +
    dot(100, 108, 22, accent) +
    dot(100, 108, 12, '#fef08a') +
    line('M72 64v90M128 64v90', ink, 6) +
    box(50, 158, 100, 32, 8, ink) +
    box(90, 168, 20, 10, 3, accent),
  'Trekking Poles': ({ ink, accent }) => {
    const pole = (angle) =>
      `<g transform="rotate(${angle} 100 110)">` +
      line('M100 48v136', '#94a3b8', 6) +
      line('M100 100v84', STEEL_DARK, 6) +
      box(90, 14, 20, 44, 8, '#c08a4a') +
      line('M92 18q-16 14 0 30', ink, 4) +
      box(92, 56, 16, 8, 2, ink) +
      shape('M88 164h24l-4 8h-16z', ink) +
      line('M100 172v16', IRON, 3) +
      `</g>`;
    return pole(-18) + pole(18) + dot(100, 110, 4, accent);
  },
  'Insulated Bottle 750 ml': ({ ink, accent }) =>
    box(80, 8, 40, 14, 6, ink) +
    box(74, 20, 52, 26, 8, ink) +
    box(84, 40, 32, 10, 2, '#334155') +
    shape('M68 50h64q8 0 8 10v118q0 10-10 10H70q-10 0-10-10V60q0-10 8-10z', accent) +
    line('M74 66v108', WHITE, 7, ' opacity=".45"') +
    box(60, 96, 80, 44, 0, ink) +
    shape('M76 130l14-22 9 12 7-8 18 18z', '#dcfce7'),
  'Daypack 22 L': ({ ink, accent }) =>
    line('M84 18q16-14 32 0', ink, 7) +
    line('M50 74q-22 10-20 60l4 40M150 74q22 10 20 60l-4 40', '#14532d', 8) +
    shape('M100 14c-36 0-56 26-56 64v96q0 14 14 14h84q14 0 14-14V78c0-38-20-64-56-64z', ink) +
    line('M54 66q46-30 92 0', accent, 4) +
    shape('M62 114h76q8 0 8 8v50q0 8-8 8H62q-8 0-8-8v-50q0-8 8-8z', accent) +
    line('M62 126h76', '#14532d', 3) +
    box(94, 120, 12, 10, 2, IRON) +
    line('M70 98v-18M130 98v-18', '#dcfce7', 3, faint),
  Hammock: ({ ink, accent }) =>
    box(8, 14, 16, 176, 5, '#92400e') +
    box(176, 14, 16, 176, 5, '#92400e') +
    dot(16, 10, 22, ink) +
    dot(184, 10, 22, ink) +
    line('M24 72l20 26M176 72l-20 26', '#57534e', 4) +
    shape('M44 98q56 64 112 0q-56 30-112 0z', accent) +
    shape('M44 98q56 30 112 0', 'none', ` stroke="${ink}" stroke-width="4"`) +
    line('M70 116q30 14 60 0', WHITE, 3, ' opacity=".5"') +
    line('M4 190h192', '#166534', 4, faint),

  // home
  'Wool Throw Blanket': ({ ink, accent }) => {
    // Three folded layers, each with its rounded fold on the left and a fringe on the right.
    const layer = (y, fill, check) =>
      box(26, y, 150, 38, 16, fill) +
      line(`M60 ${y}v38M100 ${y}v38M140 ${y}v38M26 ${y + 19}h150`, check, 3, ' opacity=".35"') +
      line(`M176 ${y + 6}h10M176 ${y + 14}h10M176 ${y + 22}h10M176 ${y + 30}h10`, fill, 3);
    return layer(150, ink, WHITE) + layer(110, '#fef3c7', ink) + layer(70, accent, WHITE);
  },
  'Linen Cushion Cover': ({ ink, accent }) =>
    shape('M22 36q78 18 156 0-16 62 0 124-78-18-156 0 16-62 0-124z', accent) +
    shape(
      'M36 50q64 14 128 0-12 50 0 96-64-14-128 0 12-50 0-96z',
      'none',
      ` stroke="${WHITE}" stroke-width="3" stroke-dasharray="7 6" opacity=".8"`,
    ) +
    line('M58 78q20 24 4 52M132 70q-14 30 8 54', ink, 3, ' opacity=".25"'),
  'Scented Candle': ({ ink, accent }) =>
    dot(100, 44, 30, '#fde68a', ' opacity=".5"') +
    shape('M100 20q16 18 8 32-8 10-16 0-8-14 8-32z', '#f59e0b') +
    shape('M100 34q8 10 4 17-4 5-8 0-4-7 4-17z', '#fef9c3') +
    line('M100 58v14', IRON, 4) +
    box(46, 68, 108, 120, 14, GLASS, ' opacity=".9"') +
    box(54, 76, 92, 104, 10, '#fef3c7') +
    box(46, 112, 108, 44, 0, accent) +
    line('M70 134h60', WHITE, 5) +
    line('M84 146h32', WHITE, 3, ' opacity=".7"') +
    line('M56 80v96', WHITE, 5, ' opacity=".6"') +
    box(46, 68, 108, 120, 14, 'none', ` stroke="${ink}" stroke-width="2" opacity=".3"`),
  'Ceramic Vase': ({ ink, accent }) =>
    line('M100 56Q98 30 110 6M100 50q-20-24-34-26', '#3f6212', 4) +
    shape(
      'M110 6q10 4 8 14-10-2-8-14zM66 24q-12-2-14-12 12 0 14 12zM104 26q12-6 16 2-10 6-16-2z',
      '#65a30d',
    ) +
    shape('M84 50h32v22q40 20 40 64 0 38-28 54H72q-28-16-28-54 0-44 40-64z', accent) +
    box(80, 46, 40, 10, 5, ink) +
    line('M70 104q-8 24 0 54', WHITE, 6, ' opacity=".4"') +
    line('M50 130q50 16 100 0', ink, 4, ' opacity=".3"'),
  'Wall Clock': ({ ink, accent }) => {
    let ticks = '';
    for (let hour = 0; hour < 12; hour += 1) {
      const angle = (hour * Math.PI) / 6;
      const outer = 70;
      const inner = hour % 3 === 0 ? 56 : 62;
      const x1 = Math.round((100 + Math.sin(angle) * outer) * 10) / 10;
      const y1 = Math.round((100 - Math.cos(angle) * outer) * 10) / 10;
      const x2 = Math.round((100 + Math.sin(angle) * inner) * 10) / 10;
      const y2 = Math.round((100 - Math.cos(angle) * inner) * 10) / 10;
      ticks += `M${x1} ${y1}L${x2} ${y2}`;
    }
    return (
      dot(100, 100, 92, WOOD_DARK) +
      dot(100, 100, 84, WOOD) +
      dot(100, 100, 78, PAPER) +
      line(ticks, ink, 4) +
      line('M100 100 74 76', ink, 7) +
      line('M100 100l40-24', ink, 5) +
      line('M100 100 86 150', accent, 2.5) +
      dot(100, 100, 6, ink)
    );
  },
};
