// @vitest-environment node
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const text = readFileSync(join(__dirname, '..', 'Dockerfile'), 'utf8');
const lines = text
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));

describe('apps/frontend/Dockerfile', () => {
  it('builds on Node LTS and serves from an unprivileged nginx on 8080', () => {
    expect(lines.filter((line) => line.startsWith('FROM '))).toEqual([
      'FROM node:${NODE_VERSION}-slim AS build',
      'FROM nginxinc/nginx-unprivileged:1.28-alpine',
    ]);
    expect(lines).toContain('USER 101');
    expect(lines).toContain('EXPOSE 8080');
  });

  it('ships only the built files and the server configuration', () => {
    const copies = lines
      .slice(lines.findLastIndex((line) => line.startsWith('FROM ')))
      .filter((line) => line.startsWith('COPY'));
    expect(copies).toEqual([
      'COPY apps/frontend/nginx/default.conf /etc/nginx/conf.d/default.conf',
      'COPY apps/frontend/nginx/security-headers.conf /etc/nginx/security-headers.conf',
      'COPY --from=build /workspace/apps/frontend/dist /usr/share/nginx/html',
    ]);
    expect(text).not.toMatch(/(KEY|SECRET|PASSWORD|TOKEN)\s*=/i);
  });

  it('ships no source maps and no build manifest', () => {
    const build = lines.find((line) => line.startsWith('RUN ') && line.includes('npm run build'));
    expect(build).toMatch(
      /npm run build --workspace @platform\/frontend +&& rm -rf apps\/frontend\/dist\/\.vite /,
    );
    expect(build).toMatch(/&& find apps\/frontend\/dist -name '\*\.map' -delete$/);
    const config = readFileSync(join(__dirname, '..', 'vite.config.ts'), 'utf8');
    expect(config).toMatch(/sourcemap: false/);
  });
});
