/**
 * Generated secrets survive upgrades: helm's `lookup` reads them back from the cluster. No
 * cluster runs here, so helm talks to a minimal stand-in for the Kubernetes API (discovery plus
 * GET of Secrets) on loopback, exactly the calls `lookup` makes.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { CHART_DIR, decode, helmPath, named, parseManifests, type K8sObject } from './chart';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const NAMESPACE = 'platform-dev';
const stored = new Map<string, K8sObject>();
const requests: string[] = [];
let server: Server;
let dir: string;
let kubeconfig: string;

function answer(url: string): { status: number; body: unknown } {
  const path = url.split('?')[0] ?? '';
  if (path === '/version') return { status: 200, body: { major: '1', minor: '31', gitVersion: 'v1.31.0' } };
  if (path === '/api')
    return { status: 200, body: { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] } };
  if (path === '/apis') return { status: 200, body: { kind: 'APIGroupList', apiVersion: 'v1', groups: [] } };
  if (path === '/api/v1') {
    return {
      status: 200,
      body: {
        kind: 'APIResourceList',
        groupVersion: 'v1',
        resources: [
          {
            name: 'secrets',
            singularName: 'secret',
            namespaced: true,
            kind: 'Secret',
            verbs: ['get', 'list'],
          },
        ],
      },
    };
  }
  const secret = /^\/api\/v1\/namespaces\/([^/]+)\/secrets\/([^/]+)$/.exec(path);
  const found = secret ? stored.get(`${secret[1]}/${secret[2]}`) : undefined;
  if (found) return { status: 200, body: found };
  return {
    status: 404,
    body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 },
  };
}

beforeAll(async () => {
  server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    const { status, body } = answer(request.url ?? '/');
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  dir = mkdtempSync(join(tmpdir(), 'chart-lookup-'));
  kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'stand-in', cluster: { server: `http://127.0.0.1:${port}` } }],
      users: [{ name: 'stand-in', user: { token: 'unused' } }],
      contexts: [
        { name: 'stand-in', context: { cluster: 'stand-in', user: 'stand-in', namespace: NAMESPACE } },
      ],
      'current-context': 'stand-in',
    }),
  );
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** Renders dev the way `helm upgrade` does: templates evaluated with lookup against the cluster. */
async function renderSecrets(): Promise<K8sObject[]> {
  const { stdout } = await run(
    await helmPath(),
    [
      'template',
      'dev',
      CHART_DIR,
      '--namespace',
      NAMESPACE,
      '-f',
      join(CHART_DIR, 'values-dev.yaml'),
      '--dry-run=server',
      '--show-only',
      'templates/secret.yaml',
    ],
    { env: { ...process.env, KUBECONFIG: kubeconfig, HELM_CACHE_HOME: dir }, timeout: 60_000 },
  );
  return parseManifests(stdout);
}

const apply = (secrets: K8sObject[]) => {
  for (const secret of secrets) stored.set(`${NAMESPACE}/${secret.metadata.name}`, secret);
};

it('generates the signing key and database credentials once, and reuses them on every upgrade', async () => {
  const install = await renderSecrets();
  expect(requests).toContain(`GET /api/v1/namespaces/${NAMESPACE}/secrets/dev-jwt`);
  apply(install);

  const upgrade = await renderSecrets();
  const secondUpgrade = await renderSecrets();
  for (const name of ['dev-jwt', 'dev-mongodb']) {
    expect(named(upgrade, 'Secret', name).data).toEqual(named(install, 'Secret', name).data);
    expect(named(secondUpgrade, 'Secret', name).data).toEqual(named(install, 'Secret', name).data);
  }
  expect(decode(named(upgrade, 'Secret', 'dev-jwt').data?.['private-key.pem'] ?? '')).toContain(
    'PRIVATE KEY',
  );
});

it('generates new ones only when the stored Secrets are gone', async () => {
  const before = await renderSecrets();
  stored.clear();
  const fresh = await renderSecrets();
  expect(named(fresh, 'Secret', 'dev-jwt').data).not.toEqual(named(before, 'Secret', 'dev-jwt').data);
  expect(named(fresh, 'Secret', 'dev-mongodb').data?.['auth-password']).not.toEqual(
    named(before, 'Secret', 'dev-mongodb').data?.['auth-password'],
  );
});
