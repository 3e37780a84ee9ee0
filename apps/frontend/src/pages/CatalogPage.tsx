import { lazy, Suspense } from 'react';
import { CatalogSkeleton } from '../components/CatalogSkeleton';
import { PageHeading, useTitle } from '../components/page';
import { Loading } from '../components/states';

// The heading and the skeleton show at once; the search, offers and cards come with the query
// library in a chunk of their own, loaded as the page first renders.
const CatalogContent = lazy(() =>
  import('./CatalogContent').then((module) => ({ default: module.CatalogContent })),
);

export function CatalogPage() {
  useTitle('Catalog');
  return (
    <section aria-labelledby="catalog-title" className="catalog">
      <div className="page-head">
        <PageHeading id="catalog-title">Catalog</PageHeading>
      </div>
      <Suspense
        fallback={
          <>
            <Loading what="the catalog" />
            <CatalogSkeleton />
          </>
        }
      >
        <CatalogContent />
      </Suspense>
    </section>
  );
}
