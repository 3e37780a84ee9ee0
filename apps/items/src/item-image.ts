// Free of dependencies, so that the web app's image generator can name the files exactly as the
// seed does.

/**
 * The file name stem of an item's picture: the name lower-cased, every run of characters outside
 * a-z and 0-9 replaced by one "-", and no "-" at either end ("Chef Knife 20 cm" -> "chef-knife-20-cm").
 */
export function itemImageSlug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Where the web app serves an item's picture: `/images/items/<slug>.svg`. */
export function itemImagePath(name: string): string {
  return `/images/items/${itemImageSlug(name)}.svg`;
}
