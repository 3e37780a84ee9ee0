/** Types of item-drawings.mjs, for the test that checks every seeded item has a drawing. */
export const DRAWINGS: Record<string, (colours: { ink: string; accent: string }) => string>;
