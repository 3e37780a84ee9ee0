import { lazy, Suspense } from 'react';
import type { ComponentType } from 'react';
import { BrowserRouter, useRoutes } from 'react-router-dom';
import type { RouteObject } from 'react-router-dom';
import { Layout } from './components/Layout';
import { Loading } from './components/states';
import { CatalogPage } from './pages/CatalogPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { CartProvider } from './state/cart';
import { SessionProvider } from './state/session';

// The catalog is where visits start, so it ships in the first chunk; every other page is a chunk
// of its own, loaded when its route is first shown (the bundle budget counts only what the catalog
// loads: scripts/bundle-budget.mjs).
const ItemPage = lazy(() => import('./pages/ItemPage').then((page) => ({ default: page.ItemPage })));
const CartPage = lazy(() => import('./pages/CartPage').then((page) => ({ default: page.CartPage })));
const LoginPage = lazy(() => import('./pages/AuthPages').then((page) => ({ default: page.LoginPage })));
const RegisterPage = lazy(() => import('./pages/AuthPages').then((page) => ({ default: page.RegisterPage })));
const AdminPage = lazy(() => import('./pages/AdminPage').then((page) => ({ default: page.AdminPage })));

/** A page loaded on demand: the layout stays on screen while its code arrives. */
function onDemand(Page: ComponentType) {
  return (
    <Suspense fallback={<Loading what="the page" />}>
      <Page />
    </Suspense>
  );
}

/** The web app's routes (docs/contract.md §4). */
export const routes: RouteObject[] = [
  {
    element: <Layout />,
    children: [
      { path: '/', element: <CatalogPage /> },
      { path: '/items/:id', element: onDemand(ItemPage) },
      { path: '/cart', element: onDemand(CartPage) },
      { path: '/login', element: onDemand(LoginPage) },
      { path: '/register', element: onDemand(RegisterPage) },
      { path: '/admin', element: onDemand(AdminPage) },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];

export function Providers({ children }: { children: React.ReactNode }) {
  return (
    <SessionProvider>
      <CartProvider>{children}</CartProvider>
    </SessionProvider>
  );
}

function AppRoutes() {
  return useRoutes(routes);
}

/**
 * The browser's router in declarative mode (BrowserRouter and useRoutes): the app loads its data in
 * components, not in route loaders, and the data router (createBrowserRouter) would add about
 * 15 kB of gzipped script to every first visit for features it does not use.
 */
export function App() {
  return (
    <Providers>
      <BrowserRouter>
        <AppRoutes />
      </BrowserRouter>
    </Providers>
  );
}
