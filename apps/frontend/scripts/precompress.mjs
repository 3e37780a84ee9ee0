#!/usr/bin/env node
// Writes a gzip (level 9) copy beside each compressible file of the build, so that nginx's
// gzip_static sends exactly the bytes the bundle budget counts instead of compressing each
// response on the fly at its default level 1.
//
//   node scripts/precompress.mjs [dist directory]
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, gzipSync } from 'node:zlib';

const COMPRESSIBLE = /\.(js|css|svg|json|html)$/;

/** Every compressible file below `dir`, with its gzip copy written when that is smaller. */
export function precompress(dir) {
  const written = [];
  const walk = (current) => {
    for (const entry of readdirSync(current)) {
      const path = join(current, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (COMPRESSIBLE.test(entry)) {
        const raw = readFileSync(path);
        const gzipped = gzipSync(raw, { level: constants.Z_BEST_COMPRESSION });
        if (gzipped.length < raw.length) {
          writeFileSync(`${path}.gz`, gzipped);
          written.push(relative(dir, path));
        }
      }
    }
  };
  walk(dir);
  return written;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? fileURLToPath(new URL('../dist', import.meta.url));
  const written = precompress(dir);
  process.stdout.write(`precompress: ${written.length} files gzipped (level 9) in ${dir}\n`);
}
