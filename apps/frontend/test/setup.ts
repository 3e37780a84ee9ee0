import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// A test's first render of a lazy page transforms that page's modules on the spot, which can take
// longer than Testing Library's default 1 s wait on a busy machine (tests get 15 s: vite.config.ts).
configure({ asyncUtilTimeout: 3000 });

afterEach(() => {
  cleanup();
  // Files that run in the node environment (server and image checks) have no storage.
  if (typeof localStorage !== 'undefined') localStorage.clear();
});
