import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@platform/devstack';

const SERVICES = ['auth', 'items', 'discounts'];
const dockerfile = (service: string) => readFileSync(join(repoRoot, 'apps', service, 'Dockerfile'), 'utf8');

/** Instructions with their continuation lines joined, comments dropped. */
function instructions(text: string): string[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

const finalStage = (text: string) => {
  const lines = instructions(text);
  const lastFrom = lines.map((line) => line.startsWith('FROM ')).lastIndexOf(true);
  return lines.slice(lastFrom);
};

describe.each(SERVICES)('apps/%s/Dockerfile', (service) => {
  const text = dockerfile(service);
  const lines = instructions(text);

  it('is multi-stage on the current Node LTS slim image', () => {
    const froms = lines.filter((line) => line.startsWith('FROM '));
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) expect(from).toMatch(/^FROM node:\$\{NODE_VERSION\}-slim( AS \w+)?$/);
    const version = /^ARG NODE_VERSION=(\d+)$/m.exec(text)?.[1];
    expect(Number(version) % 2).toBe(0); // even majors are the LTS lines
    expect(Number(version)).toBeGreaterThanOrEqual(24);
  });

  it('ships production dependencies only, for this service', () => {
    expect(text).toContain(`npm ci --omit=dev --no-audit --no-fund --workspace @platform/${service}`);
    const shipped = finalStage(text).filter((line) => line.startsWith('COPY'));
    expect(shipped.every((line) => line.includes('--from='))).toBe(true);
    expect(shipped.join('\n')).not.toMatch(/\/src|\/test|\.ts\b/);
  });

  it('runs as the unprivileged node user, on the container ports, as PID 1 in exec form', () => {
    const final = finalStage(text);
    expect(final.filter((line) => line.startsWith('USER '))).toEqual(['USER node']);
    expect(final).toContain('EXPOSE 8080 9090');
    expect(final.find((line) => line.startsWith('CMD '))).toBe(
      `CMD ["node", "apps/${service}/dist/main.js"]`,
    );
    expect(text).toMatch(/PORT=8080/);
    expect(text).toMatch(/MANAGEMENT_PORT=9090/);
  });

  it('fetches nothing at build time beyond npm and bakes in no secrets', () => {
    expect(lines.some((line) => line.startsWith('ADD '))).toBe(false);
    expect(text).not.toMatch(/curl|wget/);
    expect(text).not.toMatch(/(KEY|SECRET|PASSWORD|TOKEN)\s*=/i);
  });
});

describe('the service Dockerfiles', () => {
  it('are one recipe: identical but for the service name, so a fix reaches all three', () => {
    const normalised = SERVICES.map((service) => dockerfile(service).replaceAll(service, '<service>'));
    expect(new Set(normalised).size).toBe(1);
  });
});

describe('.dockerignore', () => {
  it('keeps dependencies, build output, local data, tools, git and secrets out of the build context', () => {
    const ignored = readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n');
    for (const pattern of ['**/node_modules', '**/dist', '.git', '.data', '.tools', '**/*.pem', '**/.env']) {
      expect(ignored).toContain(pattern);
    }
  });
});
