/**
 * A fuzz pass over every write endpoint the services' OpenAPI documents list: hostile bodies
 * (not JSON, deep nesting, huge values, wrong types, prototype-pollution keys) each get the
 * expected 4xx in the contract's error shape (docs/contract.md §3.2), never a 5xx or a dropped
 * connection; the service stays ready; its database is exactly as it was; and Object.prototype is
 * untouched.
 */
import { BSON, MongoClient } from 'mongodb';
import { JSON_BODY_LIMIT } from '@platform/service-kit';
import type { Family, HostileCase, JsonObject } from './hostile-bodies';
import { bodyCases, FAMILIES, parserCases, POLLUTION_KEYS, POLLUTION_MARK } from './hostile-bodies';
import type { Operation } from './openapi';
import { fetchDocument, label, operationsOf } from './openapi';
import type { RunningService, ServiceName, TestPlatform } from './platform';
import { SERVICE_NAMES, startPlatform } from './platform';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Write endpoints of docs/contract.md §3 with a JSON body: the documents must list at least these. */
const CONTRACT_BODY_ENDPOINTS = [
  'POST /api/auth/register',
  'POST /api/auth/login',
  'POST /api/items',
  'PATCH /api/items/{id}',
  'POST /api/discounts',
  'PATCH /api/discounts/{id}',
  'POST /api/discounts/quote',
];

interface Fixtures {
  itemId: string;
  discountId: string;
}

/**
 * A body each operation accepts, so that a hostile variation of it is refused for what was
 * changed and nothing else. A new endpoint with a body needs an entry here (a test says so).
 */
const VALID_BODIES: Record<string, (fixtures: Fixtures) => JsonObject> = {
  register: () => ({ email: 'fuzz.base@example.com', password: 'a password long enough', name: 'Fuzz Base' }),
  login: () => ({ email: 'nobody@example.com', password: 'not the password' }),
  createItem: () => ({
    name: 'Fuzz Lamp',
    description: 'A lamp',
    priceCents: 1999,
    currency: 'EUR',
    category: 'lighting',
    stock: 3,
  }),
  updateItem: () => ({ name: 'Renamed Lamp', priceCents: 2999 }),
  createDiscount: () => ({
    code: 'FUZZ-NEW',
    description: 'Fuzz',
    percentOff: 10,
    appliesTo: { type: 'category', category: 'lighting' },
    startsAt: '2026-01-01T00:00:00Z',
    endsAt: '2099-01-01T00:00:00Z',
    active: true,
  }),
  updateDiscount: () => ({ description: 'Changed', active: false }),
  quote: ({ itemId }) => ({ lines: [{ itemId, quantity: 2 }], code: 'FUZZ-BASE' }),
};

function bytesOf(limit: string): number {
  const match = /^(\d+)kb$/.exec(limit);
  if (!match) throw new Error(`unexpected JSON_BODY_LIMIT ${limit}`);
  return Number(match[1]) * 1024;
}
const LIMIT = bytesOf(JSON_BODY_LIMIT);
/** An error never outweighs the largest request: refusing input must not amplify it. */
const MAX_ERROR_BYTES = LIMIT;

let platform: TestPlatform;
let adminToken: string;
let userToken: string;
let fixtures: Fixtures;
let writeOperations: Record<ServiceName, Operation[]>;
const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

async function call(
  service: RunningService,
  operation: Operation,
  init: RequestInit = {},
): Promise<Response> {
  const path = operation.path.replace(
    '{id}',
    service.name === 'items' ? fixtures.itemId : fixtures.discountId,
  );
  if (path.includes('{')) throw new Error(`no value for the path parameters of ${label(operation)}`);
  const headers = new Headers(init.headers);
  if (operation.security.includes('bearer')) headers.set('authorization', `Bearer ${adminToken}`);
  return fetch(`${service.url}${path}`, { ...init, method: operation.method, headers });
}

const json = (body: unknown): RequestInit => ({
  body: JSON.stringify(body),
  headers: { 'content-type': 'application/json' },
});

/** Every document of every collection of a service's database, in a stable form. */
async function databaseSnapshot(service: RunningService): Promise<string> {
  const client = new MongoClient(service.databaseUrl, { serverSelectionTimeoutMS: 5000 });
  try {
    const db = client.db();
    const names = (await db.listCollections({}, { nameOnly: true }).toArray())
      .map(({ name }) => name)
      .filter((name) => !name.startsWith('system.'))
      .sort();
    const contents: Record<string, unknown> = {};
    for (const name of names) contents[name] = await db.collection(name).find().sort({ _id: 1 }).toArray();
    return BSON.EJSON.stringify(contents, { relaxed: false });
  } finally {
    await client.close();
  }
}

/** What is wrong with the answer to one hostile request; empty when it is right. */
async function judge(service: RunningService, operation: Operation, hostile: HostileCase): Promise<string[]> {
  const headers: Record<string, string> = { ...hostile.headers };
  if (hostile.contentType !== null) headers['content-type'] = hostile.contentType ?? 'application/json';
  let res: Response;
  let text: string;
  try {
    res = await call(service, operation, { body: hostile.body, headers });
    text = await res.text();
  } catch (error) {
    return [`no answer: ${(error as Error).cause ? String((error as Error).cause) : String(error)}`];
  }
  const problems: string[] = [];
  if (res.status !== hostile.status) problems.push(`status ${res.status}, expected ${hostile.status}`);
  if (res.status >= 500 || res.status < 400) problems.push(`a ${res.status} is not a client error`);
  if (!res.headers.get('x-request-id')) problems.push('no x-request-id');
  if (!res.headers.get('content-type')?.startsWith('application/json')) {
    problems.push(`content-type ${res.headers.get('content-type')}`);
  }
  if (text.length > MAX_ERROR_BYTES) problems.push(`an error body of ${text.length} bytes`);
  if (text.includes(POLLUTION_MARK)) problems.push('the answer repeats the polluting payload');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [...problems, `body is not JSON: ${text.slice(0, 200)}`];
  }
  const envelope = body as { error?: { code?: unknown; message?: unknown; details?: unknown } };
  const shapeOk =
    Object.keys(envelope).length === 1 &&
    typeof envelope.error?.code === 'string' &&
    typeof envelope.error.message === 'string' &&
    Object.keys(envelope.error).every((key) => ['code', 'message', 'details'].includes(key));
  if (!shapeOk) problems.push(`not the contract's error shape: ${text.slice(0, 200)}`);
  else if (envelope.error!.code !== hostile.code) problems.push(`code ${String(envelope.error!.code)}`);
  if (hostile.field && shapeOk) {
    const field = hostile.field;
    const paths = Array.isArray(envelope.error!.details)
      ? (envelope.error!.details as { path?: string }[]).map((detail) => detail.path ?? '')
      : [];
    const named = paths.some(
      (path) => path === field || field.startsWith(`${path}.`) || path.startsWith(`${field}.`),
    );
    if (!named) problems.push(`details do not name ${field}: ${paths.join(', ')}`);
  }
  return problems.length > 0 ? [`${res.status} ${text.slice(0, 300)}`, ...problems] : [];
}

const generated = new Map<string, HostileCase[]>();
/** The hostile cases for one operation, built once (some are large). */
function casesFor(operation: Operation): HostileCase[] {
  const key = label(operation);
  if (!generated.has(key)) {
    const valid = VALID_BODIES[operation.operationId];
    generated.set(
      key,
      operation.bodySchema && valid
        ? bodyCases({ valid: valid(fixtures), schema: operation.bodySchema, limit: LIMIT })
        : // A route without a body still meets the body parser first.
          parserCases({ text: 'x' }, LIMIT),
    );
  }
  return generated.get(key)!;
}

function prototypeProblems(): string[] {
  const problems: string[] = [];
  const now = Object.getOwnPropertyNames(Object.prototype).sort();
  if (JSON.stringify(now) !== JSON.stringify(prototypeBefore)) {
    problems.push(
      `Object.prototype changed: ${now.filter((name) => !prototypeBefore.includes(name)).join(', ')}`,
    );
  }
  const plain: Record<string, unknown> = {};
  for (const key of POLLUTION_KEYS) if (key in plain) problems.push(`({}).${key} is ${String(plain[key])}`);
  return problems;
}

beforeAll(async () => {
  platform = await startPlatform();
  adminToken = await platform.auth.adminToken();
  userToken = await platform.auth.userToken();
  const { items, discounts } = platform.services;
  const admin = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
  const item = await fetch(`${items.url}/api/items`, {
    method: 'POST',
    headers: admin,
    body: JSON.stringify(VALID_BODIES.createItem!({ itemId: '', discountId: '' })),
  });
  const discount = await fetch(`${discounts.url}/api/discounts`, {
    method: 'POST',
    headers: admin,
    body: JSON.stringify({
      ...VALID_BODIES.createDiscount!({ itemId: '', discountId: '' }),
      code: 'FUZZ-BASE',
    }),
  });
  if (item.status !== 201 || discount.status !== 201) {
    throw new Error(`could not create fixtures: item ${item.status}, discount ${discount.status}`);
  }
  fixtures = {
    itemId: ((await item.json()) as { item: { id: string } }).item.id,
    discountId: ((await discount.json()) as { discount: { id: string } }).discount.id,
  };
  writeOperations = Object.fromEntries(
    await Promise.all(
      SERVICE_NAMES.map(async (name) => [
        name,
        operationsOf(await fetchDocument(platform.services[name].url, name)).filter((op) =>
          WRITE_METHODS.has(op.method),
        ),
      ]),
    ),
  ) as Record<ServiceName, Operation[]>;
});

const sentTo = new Map<ServiceName, number>();

afterAll(async () => {
  await platform?.stop();
  process.stdout.write(
    `hostile bodies sent: ${[...sentTo].map(([name, count]) => `${name} ${count}`).join(', ')}\n`,
  );
});

describe('the write endpoints, from the OpenAPI documents', () => {
  it("include every one of the contract's, and each with a body has a valid example", () => {
    const all = SERVICE_NAMES.flatMap((name) => writeOperations[name]);
    const withBody = all.filter((operation) => operation.bodySchema);
    expect(withBody.map(label)).toEqual(expect.arrayContaining(CONTRACT_BODY_ENDPOINTS));
    expect(all.map(label)).toEqual(
      expect.arrayContaining([
        'DELETE /api/items/{id}',
        'DELETE /api/discounts/{id}',
        'POST /api/auth/logout',
      ]),
    );
    expect(withBody.filter((operation) => !VALID_BODIES[operation.operationId]).map(label)).toEqual([]);
  });

  it('accept their valid example (so each hostile variation is refused for what it changed)', async () => {
    const refused: string[] = [];
    for (const name of SERVICE_NAMES) {
      for (const operation of writeOperations[name].filter((op) => op.bodySchema)) {
        const res = await call(
          platform.services[name],
          operation,
          json(VALID_BODIES[operation.operationId]!(fixtures)),
        );
        if (res.status === 400 || res.status >= 500)
          refused.push(`${label(operation)}: ${res.status} ${await res.text()}`);
      }
    }
    expect(refused).toEqual([]);
  });
});

describe.each(SERVICE_NAMES)('hostile bodies against %s', (name: ServiceName) => {
  test.each(FAMILIES)(
    "%s: a 4xx in the contract's error shape each time, nothing stored, nothing polluted",
    async (family: Family) => {
      const service = platform.services[name];
      const violations: string[] = [];
      let sent = 0;
      for (const operation of writeOperations[name]) {
        const batch = casesFor(operation).filter((hostile) => hostile.family === family);
        if (batch.length === 0) continue;
        const before = await databaseSnapshot(service);
        for (const hostile of batch) {
          sent += 1;
          for (const problem of await judge(service, operation, hostile)) {
            violations.push(`${label(operation)} — ${hostile.name}: ${problem}`);
          }
        }
        const ready = await fetch(`${service.managementUrl}/readyz`);
        if (ready.status !== 200)
          violations.push(`${label(operation)}: readiness ${ready.status} after the batch`);
        if ((await databaseSnapshot(service)) !== before)
          violations.push(`${label(operation)}: the database changed`);
        for (const problem of prototypeProblems()) violations.push(`${label(operation)}: ${problem}`);
      }
      sentTo.set(name, (sentTo.get(name) ?? 0) + sent);
      expect(sent).toBeGreaterThan(0);
      expect(violations).toEqual([]);
    },
  );
});

describe('after the hostile bodies', () => {
  it('roles still come from the token alone: a user is a user, and may not write', async () => {
    const me = await fetch(`${platform.services.auth.url}/api/auth/me`, {
      headers: { authorization: `Bearer ${userToken}` },
    });
    expect(me.status).toBe(200);
    const { user } = (await me.json()) as { user: Record<string, unknown> };
    expect(user.roles).toEqual(['user']);
    expect(Object.keys(user).sort()).toEqual(['email', 'id', 'name', 'roles']);
    const write = await fetch(`${platform.services.items.url}/api/items`, {
      method: 'POST',
      headers: { authorization: `Bearer ${userToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(VALID_BODIES.createItem!(fixtures)),
    });
    expect(write.status).toBe(403);
    expect(prototypeProblems()).toEqual([]);
  });
});
