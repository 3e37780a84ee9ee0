import { Link } from 'wouter';
import { PageHeading, useTitle } from '../components/page';

export function NotFoundPage() {
  useTitle('Page not found');
  return (
    <section aria-labelledby="not-found-title">
      <PageHeading id="not-found-title">Page not found</PageHeading>
      <div className="empty">
        <strong>There is nothing at this address.</strong>
        <p>
          <Link to="/">Back to the catalog</Link>
        </p>
      </div>
    </section>
  );
}
