import { Redirect } from 'wouter';
import { PageHeading, useTitle } from '../components/page';
import { Loading } from '../components/states';
import { useSession } from '../state/session';
import { DiscountsAdmin } from './admin/DiscountsAdmin';
import { ItemsAdmin } from './admin/ItemsAdmin';

export function AdminPage() {
  useTitle('Admin');
  const { user, restoring } = useSession();
  if (restoring) return <Loading what="your session" />;
  if (!user) return <Redirect to="/login" replace />;
  if (!user.roles.includes('admin')) {
    return (
      <section aria-labelledby="admin-title">
        <PageHeading id="admin-title">Admin</PageHeading>
        <p role="alert" className="alert alert-warning">
          This area is for administrators.
        </p>
      </section>
    );
  }
  return (
    <section aria-labelledby="admin-title" className="admin">
      <PageHeading id="admin-title">Admin</PageHeading>
      <ItemsAdmin />
      <DiscountsAdmin />
    </section>
  );
}
