import express from 'express';
import type { Response } from 'express';
import request from 'supertest';
import { sendJson } from '../src/http/json-response';

/** The same app twice: with Express's own res.json, and with the kit's. */
function apps() {
  const build = (json?: typeof sendJson) => {
    const app = express();
    app.set('etag', false);
    if (json) app.response.json = json;
    app.get('/text', (_req, res: Response) => res.json({ name: 'Crème brûlée ☕', n: 1 }));
    app.get('/typed', (_req, res: Response) => res.type('application/problem+json').json({ a: 1 }));
    app.get('/empty', (_req, res: Response) => res.status(204).json({ ignored: true }));
    app.get('/undefined', (_req, res: Response) => res.json(undefined));
    return app;
  };
  return { express: build(), kit: build(sendJson) };
}

const HEADERS = ['content-type', 'content-length', 'transfer-encoding'];
const pick = (headers: Record<string, unknown>) =>
  Object.fromEntries(
    HEADERS.filter((name) => headers[name] !== undefined).map((name) => [name, headers[name]]),
  );

describe('the kit’s res.json', () => {
  const { express: expressApp, kit } = apps();

  it.each(['/text', '/typed', '/empty', '/undefined'])('answers GET %s as Express does', async (path) => {
    const [expected, actual] = await Promise.all([request(expressApp).get(path), request(kit).get(path)]);
    expect(actual.status).toBe(expected.status);
    expect(pick(actual.headers)).toEqual(pick(expected.headers));
    expect(actual.text).toBe(expected.text);
  });

  it('counts the length in bytes, not characters', async () => {
    const res = await request(kit).get('/text');
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.text));
    expect(res.body).toEqual({ name: 'Crème brûlée ☕', n: 1 });
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const [expected, actual] = await Promise.all([
      request(expressApp).head('/text'),
      request(kit).head('/text'),
    ]);
    expect(actual.status).toBe(200);
    expect(pick(actual.headers)).toEqual(pick(expected.headers));
    expect(actual.text).toBeUndefined();
  });
});
