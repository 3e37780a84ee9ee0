import { ObjectId } from 'mongodb';
import type { TestAuth } from '@platform/platform-testing';
import { startTestAuth } from '@platform/platform-testing';
import { openApiDocument } from '../src/openapi';
import type { RunningItems } from './support';
import { lamp, startItems } from './support';

let auth: TestAuth;
let items: RunningItems;
let admin: string;
let user: string;

beforeAll(async () => {
  auth = await startTestAuth();
  items = await startItems(auth);
  [admin, user] = await Promise.all([auth.adminToken(), auth.userToken()]);
});
afterAll(async () => {
  await items.stop();
  await auth.stop();
});

const create = (body: object, token = admin) =>
  items.api().post('/api/items').set('authorization', `Bearer ${token}`).send(body);

async function createItem(body: object): Promise<{ id: string; name: string }> {
  const res = await create(body);
  expect(res.status).toBe(201);
  return res.body.item as { id: string; name: string };
}

describe('admin writes', () => {
  it('creates an item with normalised currency and category', async () => {
    const res = await create({ ...lamp, currency: 'eur', category: ' Lighting ' });
    expect(res.status).toBe(201);
    expect(res.body.item).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      ...lamp,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(res.body.item).not.toHaveProperty('searchTerms');
  });

  it('answers 401 without a token and 403 for a non-admin', async () => {
    const anonymous = await items.api().post('/api/items').send(lamp);
    expect(anonymous.status).toBe(401);
    const forbidden = await create(lamp, user);
    expect([forbidden.status, forbidden.body.error.code]).toEqual([403, 'FORBIDDEN']);
  });

  it.each([
    ['fractional cents', { priceCents: 10.5 }, 'priceCents'],
    ['a negative price', { priceCents: -1 }, 'priceCents'],
    ['a price given as a string', { priceCents: '100' }, 'priceCents'],
    ['an unknown currency', { currency: 'XYZ' }, 'currency'],
    ['an empty name', { name: '   ' }, 'name'],
    ['an operator as category', { category: { $ne: null } }, 'category'],
    ['an unknown field', { discount: 5 }, '(root)'],
  ])('rejects %s with 400 and stores nothing', async (_case, change, field) => {
    const before = await items.service.connection.collection('items').countDocuments();
    const res = await create({ ...lamp, ...change });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: field })]),
    );
    expect(await items.service.connection.collection('items').countDocuments()).toBe(before);
  });

  it('patches fields, keeps the rest, and keeps search in step with the name', async () => {
    const item = await createItem({ ...lamp, name: 'Old Name Kettle' });
    const res = await items
      .api()
      .patch(`/api/items/${item.id}`)
      .set('authorization', `Bearer ${admin}`)
      .send({ name: 'Brand New Teapot', priceCents: 2500 });
    expect(res.status).toBe(200);
    expect(res.body.item).toMatchObject({
      name: 'Brand New Teapot',
      priceCents: 2500,
      currency: 'EUR',
      stock: 12,
    });
    const found = await items.api().get('/api/items?q=teapot');
    expect(found.body.items.map((i: { id: string }) => i.id)).toContain(item.id);
    const stale = await items.api().get('/api/items?q=kettle');
    expect(stale.body.items.map((i: { id: string }) => i.id)).not.toContain(item.id);
  });

  it('answers PATCH with 400 for an empty change, 404 for an unknown id, 403 for a non-admin', async () => {
    const item = await createItem(lamp);
    const patch = (id: string, body: object, token = admin) =>
      items.api().patch(`/api/items/${id}`).set('authorization', `Bearer ${token}`).send(body);
    expect((await patch(item.id, {})).status).toBe(400);
    expect((await patch('0123456789abcdef01234567', { stock: 1 })).status).toBe(404);
    expect((await patch(item.id, { stock: 1 }, user)).status).toBe(403);
    expect((await patch('nope', { stock: 1 })).status).toBe(400);
  });

  it('deletes an item (204), then 404', async () => {
    const item = await createItem(lamp);
    const del = () => items.api().delete(`/api/items/${item.id}`).set('authorization', `Bearer ${admin}`);
    expect((await del()).status).toBe(204);
    expect((await del()).status).toBe(404);
    expect((await items.api().get(`/api/items/${item.id}`)).status).toBe(404);
    expect(
      (await items.api().delete(`/api/items/${item.id}`).set('authorization', `Bearer ${user}`)).status,
    ).toBe(403);
  });
});

describe('item pictures', () => {
  const patch = (id: string, body: object) =>
    items.api().patch(`/api/items/${id}`).set('authorization', `Bearer ${admin}`).send(body);
  const picture = '/images/items/desk-lamp.svg';

  it('stores a picture path given on create and shows it in every representation', async () => {
    const item = await createItem({ ...lamp, name: 'Pictured Lamp', image: picture });
    expect(item).toMatchObject({ image: picture });
    expect((await items.api().get(`/api/items/${item.id}`)).body.item).toMatchObject({ image: picture });
    const listed = await items.api().get('/api/items?q=pictured');
    expect(listed.body.items).toEqual([expect.objectContaining({ id: item.id, image: picture })]);
    const byId = await items.api().get(`/api/items?ids=${item.id}`);
    expect(byId.body.items).toEqual([expect.objectContaining({ id: item.id, image: picture })]);
  });

  it('leaves image out of an item without one (also when created with null)', async () => {
    const plain = await createItem(lamp);
    expect(plain).not.toHaveProperty('image');
    const withNull = await createItem({ ...lamp, image: null });
    expect(withNull).not.toHaveProperty('image');
    expect((await items.api().get(`/api/items/${withNull.id}`)).body.item).not.toHaveProperty('image');
  });

  it.each([
    ['another origin', 'https://evil.example/images/items/x.svg'],
    ['a protocol-relative URL', '//evil.example/images/items/x.svg'],
    ['a path outside /images/', '/api/items/x.svg'],
    ['a parent directory', '/images/../x.svg'],
    ['an empty segment', '/images/items//x.svg'],
    ['upper case', '/images/items/Desk-Lamp.svg'],
    ['another extension', '/images/items/x.gif'],
    ['no extension', '/images/items/x'],
    ['a query string', '/images/items/x.svg?v=2'],
    ['surrounding spaces', ' /images/items/x.svg '],
    ['a script URL', 'javascript:alert(1)'],
    ['more than 200 characters', `/images/items/${'a'.repeat(183)}.svg`],
    ['an empty string', ''],
    ['a number', 5],
  ])('refuses %s as image with 400 naming image, on create and update', async (_case, image) => {
    const before = await items.service.connection.collection('items').countDocuments();
    const created = await create({ ...lamp, image });
    expect(created.status).toBe(400);
    expect(created.body.error.code).toBe('VALIDATION_FAILED');
    expect(created.body.error.details).toEqual([
      expect.objectContaining({ location: 'body', path: 'image' }),
    ]);
    expect(await items.service.connection.collection('items').countDocuments()).toBe(before);

    const item = await createItem({ ...lamp, image: picture });
    const updated = await patch(item.id, { image });
    expect(updated.status).toBe(400);
    expect(updated.body.error.details).toEqual([
      expect.objectContaining({ location: 'body', path: 'image' }),
    ]);
    expect((await items.api().get(`/api/items/${item.id}`)).body.item.image).toBe(picture);
  });

  it('accepts 200 characters, png, webp, jpg, and nested folders', async () => {
    for (const image of [
      `/images/items/${'a'.repeat(182)}.svg`,
      '/images/items/lamp_2.png',
      '/images/a.webp',
      '/images/items/kitchen/chef-knife.jpg',
    ]) {
      const res = await create({ ...lamp, image });
      expect([image.length, res.status, res.body.item?.image]).toEqual([image.length, 201, image]);
    }
  });

  it('sets, keeps and clears the picture with PATCH', async () => {
    const item = await createItem(lamp);
    const set = await patch(item.id, { image: picture });
    expect([set.status, set.body.item.image]).toEqual([200, picture]);
    const other = await patch(item.id, { stock: 3 });
    expect(other.body.item).toMatchObject({ stock: 3, image: picture });
    const cleared = await patch(item.id, { image: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body.item).not.toHaveProperty('image');
    expect(cleared.body.item).toMatchObject({ stock: 3, name: lamp.name });
    const stored = await items.service.connection.collection('items').findOne({ _id: new ObjectId(item.id) });
    expect(stored).not.toHaveProperty('image');
    expect((await patch(item.id, { image: null })).status).toBe(200);
  });
});

describe('GET /api/items/:id', () => {
  it('returns the item, 400 for a malformed id and 404 for an unknown one', async () => {
    const item = await createItem(lamp);
    const res = await items.api().get(`/api/items/${item.id}`);
    expect([res.status, res.body.item.id]).toEqual([200, item.id]);
    const malformed = await items.api().get('/api/items/not-an-id');
    expect([malformed.status, malformed.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const unknown = await items.api().get('/api/items/0123456789abcdef01234567');
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'ITEM_NOT_FOUND']);
  });
});

describe('GET /api/items/openapi.json', () => {
  it('documents every route from the validating schemas', async () => {
    const res = await items.api().get('/api/items/openapi.json');
    // The document built without a database (the web app's API types) is the one served.
    expect(res.body).toEqual(openApiDocument());
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths).sort()).toEqual(
      ['/api/items', '/api/items/openapi.json', '/api/items/categories', '/api/items/{id}'].sort(),
    );
    const list = res.body.paths['/api/items'].get;
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual([
      'q',
      'category',
      'page',
      'limit',
      'ids',
    ]);
    const create = res.body.paths['/api/items'].post;
    expect(create.security).toEqual([{ bearer: [] }]);
    expect(create.requestBody.content['application/json'].schema).toMatchObject({
      additionalProperties: false,
      required: expect.arrayContaining(['name', 'priceCents', 'currency', 'category']),
      properties: { priceCents: { type: 'integer', minimum: 0 } },
    });
    expect(Object.keys(res.body.paths['/api/items/{id}'])).toEqual(['get', 'patch', 'delete']);
    const image = { type: 'string', maxLength: 200, pattern: expect.stringContaining('images') };
    expect(create.requestBody.content['application/json'].schema.properties.image).toMatchObject({
      anyOf: expect.arrayContaining([expect.objectContaining(image), { type: 'null' }]),
    });
    const update = res.body.paths['/api/items/{id}'].patch;
    expect(update.requestBody.content['application/json'].schema.properties.image).toMatchObject({
      anyOf: expect.arrayContaining([expect.objectContaining(image), { type: 'null' }]),
    });
    const shown = create.responses['201'].content['application/json'].schema.properties.item;
    expect(shown.properties.image).toEqual({ type: 'string' });
    expect(shown.required).not.toContain('image');
  });
});
