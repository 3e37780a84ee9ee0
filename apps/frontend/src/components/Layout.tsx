import { useEffect, useRef } from 'react';
import type { ReactNode } from 'react';
import { Link, useLocation, useRoute } from 'wouter';
import { useCart } from '../state/cart';
import { useSession } from '../state/session';
import { focusHeading } from './page';

function Logo() {
  return (
    <svg width="28" height="28" viewBox="0 0 28 28" aria-hidden="true" focusable="false">
      <rect width="28" height="28" rx="8" fill="currentColor" />
      <path d="M8 11h12l-1.4 9.2a2 2 0 0 1-2 1.8h-5.2a2 2 0 0 1-2-1.8z" fill="#fff" />
      <path d="M11 11V9.5a3 3 0 0 1 6 0V11" fill="none" stroke="#fff" strokeWidth="1.8" />
    </svg>
  );
}

function CartIcon() {
  return (
    <svg width="20" height="20" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path
        d="M3 4h2.2l2.1 10.5a2 2 0 0 0 2 1.5h7.6a2 2 0 0 0 2-1.6L20.5 8H6.4"
        fill="none"
        stroke="currentColor"
        strokeWidth="2"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
      <circle cx="10" cy="20" r="1.6" fill="currentColor" />
      <circle cx="17" cy="20" r="1.6" fill="currentColor" />
    </svg>
  );
}

/**
 * Moves focus to the new page's heading after every navigation to another path, never on the
 * first load (compared with the path last seen, so an effect run twice, as StrictMode does in
 * development, does not count as a navigation).
 */
function useFocusOnNavigation(main: React.RefObject<HTMLElement | null>) {
  const [pathname] = useLocation();
  const shown = useRef(pathname);
  useEffect(() => {
    if (shown.current === pathname) return;
    shown.current = pathname;
    focusHeading(main.current);
  }, [pathname, main]);
}

/** A link of the main navigation, marked as the current page (the styles show it) while its route is shown. */
function NavLink({ to, children }: { to: string; children: ReactNode }) {
  const [current] = useRoute(to);
  return (
    <Link to={to} aria-current={current ? 'page' : undefined}>
      {children}
    </Link>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const { user, logout } = useSession();
  const { count } = useCart();
  const [, navigate] = useLocation();
  const main = useRef<HTMLElement>(null);
  useFocusOnNavigation(main);
  const isAdmin = user?.roles.includes('admin') ?? false;
  return (
    <>
      <a
        href="#main"
        className="skip-link"
        onClick={(event) => {
          event.preventDefault();
          main.current?.focus();
        }}
      >
        Skip to content
      </a>
      <header className="site-header">
        <div className="site-header-inner">
          <Link to="/" className="brand">
            <Logo />
            Platform Shop
          </Link>
          <nav aria-label="Main" className="site-nav">
            {isAdmin ? <NavLink to="/admin">Admin</NavLink> : null}
            <NavLink to="/cart">
              <CartIcon />
              {count > 0 ? (
                <>
                  <span aria-hidden="true">Cart</span>
                  <span className="visually-hidden">{`Cart (${count})`}</span>
                  <span className="cart-count" aria-hidden="true">
                    {count}
                  </span>
                </>
              ) : (
                'Cart'
              )}
            </NavLink>
            {user ? (
              <>
                <span className="who">{user.name ?? user.email}</span>
                <button
                  type="button"
                  className="btn btn-ghost"
                  onClick={() => {
                    void logout().then(() => navigate('/'));
                  }}
                >
                  Log out
                </button>
              </>
            ) : (
              <NavLink to="/login">Log in</NavLink>
            )}
          </nav>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {children}
      </main>
      <footer className="site-footer">
        <p>Platform Shop · a demonstration store. Prices are checked, and discounts applied, in your cart.</p>
      </footer>
    </>
  );
}
