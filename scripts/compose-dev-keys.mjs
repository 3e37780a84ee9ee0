#!/usr/bin/env node
// Creates the development JWT signing key docker-compose mounts as a secret, once; it is kept in
// .data/ (never committed) so tokens survive restarts. Production keys come from a secret store.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(import.meta.dirname, '..', '.data', 'compose');
const file = join(dir, 'jwt-private-key.pem');
if (existsSync(file)) {
  console.log(`development JWT key: ${file} (kept)`);
} else {
  mkdirSync(dir, { recursive: true });
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  // Readable by the container's unprivileged user; it is a development key only.
  writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o644 });
  console.log(`development JWT key: ${file} (created)`);
}
