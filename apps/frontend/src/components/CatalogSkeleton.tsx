/** Where the catalog's cards will be, while they load. */
export function CatalogSkeleton() {
  return (
    <ul className="items" aria-hidden="true">
      {Array.from({ length: 8 }, (_, n) => (
        <li key={n} className="item-card card">
          <span className="skeleton item-card-skeleton-media" />
          <div className="item-card-body">
            <span className="skeleton skeleton-line" />
            <span className="skeleton skeleton-line" />
            <span className="skeleton skeleton-line" />
          </div>
        </li>
      ))}
    </ul>
  );
}
