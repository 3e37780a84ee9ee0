import { Link, NavLink, Outlet, useNavigate } from 'react-router-dom';
import { useCart } from '../state/cart';
import { useSession } from '../state/session';

export function Layout() {
  const { user, logout } = useSession();
  const { count } = useCart();
  const navigate = useNavigate();
  const isAdmin = user?.roles.includes('admin') ?? false;
  return (
    <>
      <header className="site-header">
        <Link to="/" className="brand">
          Platform Shop
        </Link>
        <nav aria-label="Main">
          <NavLink to="/" end>
            Catalog
          </NavLink>
          <NavLink to="/cart">Cart{count > 0 ? ` (${count})` : ''}</NavLink>
          {isAdmin ? <NavLink to="/admin">Admin</NavLink> : null}
          {user ? (
            <>
              <span className="who">{user.name ?? user.email}</span>
              <button
                type="button"
                onClick={() => {
                  void logout().then(() => navigate('/'));
                }}
              >
                Log out
              </button>
            </>
          ) : (
            <>
              <NavLink to="/login">Log in</NavLink>
              <NavLink to="/register">Register</NavLink>
            </>
          )}
        </nav>
      </header>
      <main>
        <Outlet />
      </main>
    </>
  );
}
