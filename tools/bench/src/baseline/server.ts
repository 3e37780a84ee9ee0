/**
 * The floor each service is compared with: node:http and the MongoDB driver, no framework, no
 * middleware, no validation library, no logging. Each route runs the database work its service
 * runs for the same request, with the same filter, sort, skip, limit and projection, and answers
 * the same JSON.
 */
import type { KeyObject } from 'node:crypto';
import { createPublicKey, verify } from 'node:crypto';
import { once } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Collection, Filter } from 'mongodb';
import { MongoClient, ObjectId } from 'mongodb';
import type { Discount } from '@platform/discounts/dist/models/discount';
import type { DiscountRule, PricedItem } from '@platform/discounts/dist/pricing';
import { inForce, priceQuote } from '@platform/discounts/dist/pricing';
import { toRule } from '@platform/discounts/dist/rules';
import { toPublicItem } from '@platform/items/dist/public-item';
import { queryTerms } from '@platform/items/dist/search';
import type { StoredItem } from '../catalog';

export interface BaselineConfig {
  port: number;
  /** The items database (list, search, get by id, and the quote's prices). */
  itemsUrl: string;
  /** The auth database and the access-token settings, for /api/auth/me. */
  auth?: { url: string; publicKeyPem: string; issuer: string; audience: string };
  /** The discounts database, for /api/discounts/quote. */
  discountsUrl?: string;
}

export interface Baseline {
  url: string;
  close: () => Promise<void>;
}

// The items service's constants (apps/items/src/schemas.ts and routes/items-routes.ts).
const LIST_SORT = { name: 1, _id: 1 } as const;
const MAX_LIMIT = 100;
// apps/discounts/src/schemas.ts.
const CODE_PATTERN = /^[A-Z0-9-]{3,32}$/;
const OBJECT_ID = /^[0-9a-f]{24}$/i;
const MAX_BODY_BYTES = 100 * 1024;
const CLOCK_TOLERANCE_SECONDS = 5;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(code);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
  });
  res.end(json);
}

/** A positive whole number from the query string, or the default; anything else is a 400. */
function whole(text: string | null, fallback: number): number {
  if (text === null) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new HttpError(400, 'VALIDATION_FAILED');
  return Number(text);
}

async function listItems(items: Collection<StoredItem>, params: URLSearchParams) {
  // The batch lookup by ids is what the quote's own database work covers.
  if (params.has('ids')) throw new HttpError(400, 'NOT_SUPPORTED');
  const page = whole(params.get('page'), 1);
  const limit = Math.min(whole(params.get('limit'), 20), MAX_LIMIT);
  const filter: Filter<StoredItem> = {};
  const category = params.get('category');
  if (category !== null) filter.category = category;
  const q = params.get('q');
  if (q !== null && q.trim() !== '') {
    const terms = queryTerms(q);
    if (terms.length === 0) return { items: [], page, limit, total: 0 };
    filter.searchTerms = { $all: terms };
  }
  const [found, total] = await Promise.all([
    items
      .find(filter)
      .sort(LIST_SORT)
      .skip((page - 1) * limit)
      .limit(limit)
      .toArray(),
    items.countDocuments(filter),
  ]);
  return { items: found.map(toPublicItem), page, limit, total };
}

async function getItem(items: Collection<StoredItem>, id: string) {
  if (!OBJECT_ID.test(id)) throw new HttpError(400, 'VALIDATION_FAILED');
  const item = await items.findOne({ _id: new ObjectId(id) });
  if (!item) throw new HttpError(404, 'ITEM_NOT_FOUND');
  return { item: toPublicItem(item) };
}

interface AccessTokenCheck {
  key: KeyObject;
  algorithm: 'ES256' | 'RS256';
  issuer: string;
  audience: string;
}

/** The token's subject when its signature, algorithm, issuer, audience and expiry hold; else undefined. */
export function verifiedSubject(token: string, check: AccessTokenCheck, nowSeconds: number) {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  try {
    const header = JSON.parse(Buffer.from(headerPart, 'base64url').toString()) as Record<string, unknown>;
    if (header.alg !== check.algorithm || typeof header.kid !== 'string') return undefined;
    const signed = Buffer.from(`${headerPart}.${payloadPart}`);
    const signature = Buffer.from(signaturePart, 'base64url');
    const key =
      check.algorithm === 'ES256' ? { key: check.key, dsaEncoding: 'ieee-p1363' as const } : check.key;
    if (!verify('sha256', signed, key, signature)) return undefined;
    const payload = JSON.parse(Buffer.from(payloadPart, 'base64url').toString()) as Record<string, unknown>;
    const audience = payload.aud;
    const audienceOk = Array.isArray(audience)
      ? audience.includes(check.audience)
      : audience === check.audience;
    if (payload.iss !== check.issuer || !audienceOk) return undefined;
    if (typeof payload.exp !== 'number' || payload.exp + CLOCK_TOLERANCE_SECONDS <= nowSeconds)
      return undefined;
    if (typeof payload.sub !== 'string' || !Array.isArray(payload.roles)) return undefined;
    return payload.sub;
  } catch {
    return undefined;
  }
}

interface StoredUser {
  _id: ObjectId;
  email: string;
  name: string | null;
  roles: string[];
}

async function me(users: Collection<StoredUser>, check: AccessTokenCheck, authorization: string | undefined) {
  const match = /^Bearer (\S+)$/.exec(authorization ?? '');
  const subject = match ? verifiedSubject(match[1]!, check, Date.now() / 1000) : undefined;
  if (!subject || !OBJECT_ID.test(subject)) throw new HttpError(401, 'INVALID_TOKEN');
  const user = await users.findOne({ _id: new ObjectId(subject) });
  if (!user) throw new HttpError(401, 'INVALID_TOKEN');
  return { user: { id: user._id.toHexString(), email: user.email, name: user.name, roles: [...user.roles] } };
}

/** A discounts document as the service stores it. */
type StoredDiscount = Discount & { _id: ObjectId };

interface QuoteRequest {
  lines: { itemId: string; quantity: number }[];
  code?: string;
}

function quoteRequest(body: unknown): QuoteRequest {
  const candidate = body as Partial<QuoteRequest> | null;
  const lines = candidate?.lines;
  const valid =
    Array.isArray(lines) &&
    lines.length >= 1 &&
    lines.length <= 50 &&
    lines.every(
      (line) =>
        typeof line?.itemId === 'string' &&
        OBJECT_ID.test(line.itemId) &&
        Number.isInteger(line.quantity) &&
        line.quantity >= 1 &&
        line.quantity <= 100,
    ) &&
    (candidate?.code === undefined || typeof candidate.code === 'string');
  if (!valid) throw new HttpError(400, 'VALIDATION_FAILED');
  return candidate as QuoteRequest;
}

/** The quote's database work in the service's order: the code, the prices, the automatic discounts. */
async function quote(items: Collection<StoredItem>, discounts: Collection<StoredDiscount>, body: unknown) {
  const request = quoteRequest(body);
  const at = new Date();
  let codeRule: DiscountRule | undefined;
  const code = request.code?.trim().toUpperCase() ?? '';
  if (code !== '') {
    if (!CODE_PATTERN.test(code)) throw new HttpError(422, 'INVALID_CODE');
    const found = await discounts.findOne({ code });
    if (!found || !inForce(toRule(found), at)) throw new HttpError(422, 'INVALID_CODE');
    codeRule = toRule(found);
  }
  const ids = [...new Set(request.lines.map((line) => line.itemId))];
  const found = await items.find({ _id: { $in: ids.map((id) => new ObjectId(id)) } }).toArray();
  const byId = new Map<string, PricedItem>(found.map((item) => [item._id.toHexString(), toPublicItem(item)]));
  if (ids.some((id) => !byId.has(id))) throw new HttpError(422, 'UNKNOWN_ITEM');
  const currencies = [...new Set([...byId.values()].map((item) => item.currency))];
  if (currencies.length > 1) throw new HttpError(422, 'MIXED_CURRENCIES');
  const automatic = (
    await discounts.find({ code: null, active: true }).sort({ createdAt: 1, _id: 1 }).toArray()
  )
    .map(toRule)
    .filter((rule) => inForce(rule, at));
  const rules = [...automatic, ...(codeRule ? [codeRule] : [])];
  const lines = request.lines.map((line) => ({ item: byId.get(line.itemId)!, quantity: line.quantity }));
  return priceQuote(lines, rules, currencies[0]!);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'PAYLOAD_TOO_LARGE');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'MALFORMED_JSON');
  }
}

/** Connects to the databases, then listens on 127.0.0.1:`port` (0 for any free port). */
export async function startBaseline(config: BaselineConfig): Promise<Baseline> {
  const clients: MongoClient[] = [];
  const connect = async (url: string) => {
    const client = new MongoClient(url, { serverSelectionTimeoutMS: 10_000 });
    clients.push(client);
    await client.connect();
    return client.db();
  };
  try {
    const items = (await connect(config.itemsUrl)).collection<StoredItem>('items');
    const users = config.auth ? (await connect(config.auth.url)).collection<StoredUser>('users') : undefined;
    const discounts = config.discountsUrl
      ? (await connect(config.discountsUrl)).collection<StoredDiscount>('discounts')
      : undefined;
    let tokenCheck: AccessTokenCheck | undefined;
    if (config.auth) {
      const key = createPublicKey(config.auth.publicKeyPem);
      tokenCheck = {
        key,
        algorithm: key.asymmetricKeyType === 'ec' ? 'ES256' : 'RS256',
        issuer: config.auth.issuer,
        audience: config.auth.audience,
      };
    }

    const route = async (req: IncomingMessage): Promise<unknown> => {
      const url = new URL(req.url ?? '/', 'http://baseline');
      const path = url.pathname;
      if (req.method === 'GET' && path === '/healthz') return { status: 'ok' };
      if (req.method === 'GET' && path === '/api/items') return listItems(items, url.searchParams);
      if (req.method === 'GET' && path.startsWith('/api/items/'))
        return getItem(items, decodeURIComponent(path.slice('/api/items/'.length)));
      if (req.method === 'GET' && path === '/api/auth/me' && users && tokenCheck)
        return me(users, tokenCheck, req.headers.authorization);
      if (req.method === 'POST' && path === '/api/discounts/quote' && discounts)
        return quote(items, discounts, await readJson(req));
      throw new HttpError(404, 'NOT_FOUND');
    };

    const server: Server = createServer((req, res) => {
      route(req).then(
        (body) => send(res, 200, body),
        (error: unknown) => {
          if (error instanceof HttpError)
            send(res, error.status, { error: { code: error.code, message: error.code } });
          else send(res, 500, { error: { code: 'INTERNAL', message: 'internal error' } });
        },
      );
    });
    server.keepAliveTimeout = 65_000;
    server.listen(config.port, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      close: async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await Promise.all(clients.map((client) => client.close()));
      },
    };
  } catch (error) {
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
    throw error;
  }
}
