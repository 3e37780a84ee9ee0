import { useState } from 'react';

export const PLACEHOLDER_IMAGE = '/images/item-placeholder.svg';

/**
 * An item's picture (same-origin, from the item's `image`), or the placeholder when it has none
 * or the file cannot be loaded. Width and height are set so the layout never shifts.
 */
export function ItemImage({
  image,
  lazy = true,
  className,
  size = 'card',
}: {
  image?: string | null | undefined;
  lazy?: boolean;
  className?: string;
  size?: 'card' | 'thumb';
}) {
  const [failed, setFailed] = useState<string | undefined>();
  const source = image && failed !== image ? image : PLACEHOLDER_IMAGE;
  const [width, height] = size === 'thumb' ? [96, 72] : [400, 300];
  return (
    <img
      src={source}
      alt=""
      width={width}
      height={height}
      loading={lazy ? 'lazy' : 'eager'}
      decoding="async"
      className={className}
      onError={() => setFailed(image ?? undefined)}
    />
  );
}
