/** Types of item-images.mjs, for the test that checks the committed pictures. */
export function itemSvg(name: string, category: string): string;
export function placeholderSvg(): string;
export function writeItemImages(out?: string): string[];
