import { lazy, Suspense } from 'react';
import type { ComponentType, ReactNode } from 'react';
import { Route, Switch } from 'wouter';
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

/**
 * The web app's routes (docs/contract.md §4) inside the layout: the first route that matches the
 * path is shown, and a path no route names gets the "Page not found" page.
 */
export function AppRoutes() {
  return (
    <Layout>
      <Switch>
        <Route path="/" component={CatalogPage} />
        <Route path="/items/:id">{onDemand(ItemPage)}</Route>
        <Route path="/cart">{onDemand(CartPage)}</Route>
        <Route path="/login">{onDemand(LoginPage)}</Route>
        <Route path="/register">{onDemand(RegisterPage)}</Route>
        <Route path="/admin">{onDemand(AdminPage)}</Route>
        <Route component={NotFoundPage} />
      </Switch>
    </Layout>
  );
}

export function Providers({ children }: { children: ReactNode }) {
  return (
    <SessionProvider>
      <CartProvider>{children}</CartProvider>
    </SessionProvider>
  );
}

/**
 * The app on the browser's address bar: wouter's default location reads and pushes the History
 * API, so no router component is needed around the routes (the tests put one with an in-memory
 * location there instead).
 */
export function App() {
  return (
    <Providers>
      <AppRoutes />
    </Providers>
  );
}
