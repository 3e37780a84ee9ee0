import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, toolPath } from '@platform/devstack';

const run = promisify(execFile);
const COMPOSE_FILE = join(repoRoot, 'docker-compose.yml');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  networks?: Record<string, unknown>;
  ports?: { published: string; target: number; host_ip?: string }[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  read_only?: boolean;
  cap_drop?: string[];
  security_opt?: string[];
  environment?: Record<string, string | null>;
  secrets?: { source: string }[];
}
interface Project {
  services: Record<string, Service>;
  networks: Record<string, { internal?: boolean }>;
  secrets: Record<string, { file: string }>;
}

async function load(file: string): Promise<Project> {
  const { stdout } = await run(await toolPath('compose-check'), [file], { maxBuffer: 10 * 1024 * 1024 });
  return JSON.parse(stdout) as Project;
}

let project: Project;
beforeAll(async () => {
  project = await load(COMPOSE_FILE);
}, 120_000);

const networksOf = (name: string) => Object.keys(project.services[name]?.networks ?? {}).sort();
const API_SERVICES = ['auth', 'items', 'discounts'];

describe('docker-compose.yml', () => {
  it('is valid Compose, as Docker Compose itself loads it', () => {
    expect(Object.keys(project.services).sort()).toEqual([
      'auth',
      'discounts',
      'frontend',
      'haproxy',
      'items',
      'mongodb',
    ]);
  });

  it('is rejected by the same loader when broken, so the check above means something', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'compose-broken-'));
    try {
      const broken = join(dir, 'docker-compose.yml');
      writeFileSync(
        broken,
        readFileSync(COMPOSE_FILE, 'utf8').replace('read_only: true', 'read_only: sometimes'),
      );
      await expect(load(broken)).rejects.toThrow(/read_only/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs MongoDB 7 with a volume and a health check', () => {
    const mongodb = project.services.mongodb!;
    expect(mongodb.image).toMatch(/^mongo:7(\.|$)/);
    expect(mongodb.healthcheck?.test.join(' ')).toContain('ping');
    expect(JSON.stringify(mongodb)).toContain('/data/db');
    expect(mongodb.ports ?? []).toEqual([]);
  });

  it('segments networks like the flow contract: only the API services reach the database', () => {
    expect(project.networks.data?.internal).toBe(true);
    expect(networksOf('mongodb')).toEqual(['data']);
    for (const name of API_SERVICES) expect(networksOf(name)).toEqual(['backend', 'data']);
    expect(networksOf('haproxy')).toEqual(['backend', 'edge']);
    // The frontend shares a network with the edge alone: it reaches nothing else.
    expect(networksOf('frontend')).toEqual(['edge']);
    const onEdge = Object.keys(project.services).filter((name) => networksOf(name).includes('edge'));
    expect(onEdge.sort()).toEqual(['frontend', 'haproxy']);
    const onData = Object.keys(project.services).filter((name) => networksOf(name).includes('data'));
    expect(onData.sort()).toEqual(['auth', 'discounts', 'items', 'mongodb']);
  });

  it('builds the frontend from its Dockerfile, read-only, with a health check', () => {
    const frontend = project.services.frontend!;
    expect(frontend.build?.dockerfile).toBe('apps/frontend/Dockerfile');
    expect(frontend.read_only).toBe(true);
    expect(frontend.cap_drop).toEqual(['ALL']);
    expect(frontend.healthcheck?.test.join(' ')).toContain('http://127.0.0.1:8080/');
    expect(Object.keys(project.services.haproxy!.depends_on ?? {})).toContain('frontend');
  });

  it('builds each API service from its Dockerfile, hardened, with a readiness health check', () => {
    for (const name of API_SERVICES) {
      const service = project.services[name]!;
      expect(service.build?.dockerfile).toBe(`apps/${name}/Dockerfile`);
      expect(service.healthcheck?.test.join(' ')).toContain('http://127.0.0.1:9090/readyz');
      expect(service.read_only).toBe(true);
      expect(service.cap_drop).toEqual(['ALL']);
      expect(service.security_opt).toEqual(['no-new-privileges:true']);
      expect(service.environment?.NODE_ENV).toBe('production');
    }
  });

  it('starts services only once what they depend on is healthy', () => {
    for (const [name, service] of Object.entries(project.services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect([name, dependency, condition]).toEqual([name, dependency, 'service_healthy']);
      }
    }
    expect(Object.keys(project.services.discounts!.depends_on ?? {}).sort()).toEqual([
      'auth',
      'items',
      'mongodb',
    ]);
  });

  it('publishes only the edge, and its statistics on loopback only', () => {
    const published = Object.entries(project.services).flatMap(([name, service]) =>
      (service.ports ?? []).map((port) => `${name} ${port.host_ip ?? '*'}:${port.published}->${port.target}`),
    );
    expect(published.sort()).toEqual(['haproxy *:8080->8080', 'haproxy 127.0.0.1:8404->8404']);
  });

  it('gives auth its signing key as a secret from the git-ignored .data folder, never inline', () => {
    expect(project.services.auth!.environment?.JWT_PRIVATE_KEY_FILE).toBe('/run/secrets/jwt_private_key');
    expect(project.services.auth!.environment).not.toHaveProperty('JWT_PRIVATE_KEY');
    expect(project.secrets.jwt_private_key?.file).toBe(
      join(repoRoot, '.data', 'compose', 'jwt-private-key.pem'),
    );
    expect(readFileSync(join(repoRoot, '.gitignore'), 'utf8')).toMatch(/^\.data\/$/m);
  });

  it('points the edge at the services the way the shared haproxy.cfg expects', () => {
    const env = project.services.haproxy!.environment ?? {};
    expect(env).toMatchObject({
      HTTP_BIND: ':8080',
      STATS_BIND: ':8404',
      AUTH_SERVER: 'auth:8080',
      AUTH_CHECK_PORT: '9090',
      ITEMS_SERVER: 'items:8080',
      DISCOUNTS_SERVER: 'discounts:8080',
    });
    expect(JSON.stringify(project.services.haproxy)).toContain('deploy/haproxy/haproxy.cfg');
  });
});
