import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// The edge routing table (docs/contract.md §5), for `vite` on its own when HAProxy is not installed.
const services = { auth: 3001, items: 3002, discounts: 3003 } as const;
const proxy = Object.fromEntries(
  Object.entries(services).map(([name, port]) => [
    `/api/${name}`,
    { target: `http://127.0.0.1:${port}`, xfwd: true },
  ]),
);

export default defineConfig({
  plugins: [react()],
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    proxy,
    // The page's live-reload socket goes straight to this server, also when the page comes through
    // the edge (npm start): HAProxy closes a connection idle for 30 s, and Vite reloads the page
    // when its socket closes.
    ws: { clientPort: 5173 },
  },
  preview: { host: '127.0.0.1', port: 5173, strictPort: true, proxy },
  build: {
    // No source maps in the production build: nothing to ship by mistake (the image and nginx also
    // refuse them). The manifest says which files each entry loads, for scripts/bundle-budget.mjs;
    // the image leaves it out.
    sourcemap: false,
    manifest: true,
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['./test/setup.ts'],
    // Room for a few of Testing Library's waits (3 s each, test/setup.ts) in one test.
    testTimeout: 15_000,
    include: ['test/**/*.test.{ts,tsx}'],
  },
});
