/**
 * Hostile request bodies, derived from a body the operation accepts and the JSON schema its
 * OpenAPI document gives for it. Each case says how the service must answer.
 */
import { gzipSync } from 'node:zlib';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };
type Schema = Record<string, unknown>;
type Path = (string | number)[];

export interface HostileCase {
  family: Family;
  name: string;
  body: string | Uint8Array;
  /** `null` sends no Content-Type at all. */
  contentType?: string | null;
  headers?: Record<string, string>;
  status: number;
  code: string;
  /** The error details must name this field (or the object holding it). */
  field?: string;
  /** Refused by the body parser whatever the route, so it also applies to routes without a body. */
  parserLevel?: boolean;
}

export const FAMILIES = [
  'not JSON',
  'deep nesting',
  'huge values',
  'wrong types',
  'prototype pollution',
] as const;
export type Family = (typeof FAMILIES)[number];

/** Written into polluting payloads; it must never show up anywhere afterwards. */
export const POLLUTION_MARK = 'polluted-by-hostile-input';
export const POLLUTION_KEYS = ['isAdmin', 'polluted', 'roles'] as const;

const NESTING_DEPTH = 10_000;
const JSON_TYPE = 'application/json';

/** Bodies are built as JSON text around these, to place what a JS object cannot hold. */
const RAW = '@@raw@@';
const PROTO_KEY = '@@proto@@';

const clone = <T extends Json>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

function setAt(body: Json, path: Path, value: Json): Json {
  if (path.length === 0) return value;
  const copy = clone(body);
  let node = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  node[path.at(-1)!] = value;
  return copy;
}

/** JSON text of `body` with `rawText` (not necessarily valid JSON) at `path`. */
function withRaw(body: Json, path: Path, rawText: string): string {
  return JSON.stringify(setAt(body, path, RAW)).replace(`"${RAW}"`, rawText);
}

const dotted = (path: Path) => path.join('.');

/** Every position in a body: its fields, their fields, and the first element of each list. */
function positions(value: Json, path: Path = []): { path: Path; value: Json }[] {
  const here = path.length > 0 ? [{ path, value }] : [];
  if (Array.isArray(value)) {
    return value.length > 0 ? [...here, ...positions(value[0]!, [...path, 0])] : here;
  }
  if (value !== null && typeof value === 'object') {
    return [...here, ...Object.entries(value).flatMap(([key, field]) => positions(field, [...path, key]))];
  }
  return here;
}

/** The schemas a value at `path` may have to satisfy, through properties, items and unions. */
function schemasAt(schema: Schema, path: Path): Schema[] {
  const alternatives = (node: Schema): Schema[] => [
    node,
    ...(['anyOf', 'oneOf', 'allOf'] as const).flatMap((keyword) =>
      ((node[keyword] as Schema[] | undefined) ?? []).flatMap(alternatives),
    ),
  ];
  let current = alternatives(schema);
  for (const key of path) {
    current = current.flatMap((node) => {
      const next =
        typeof key === 'number'
          ? (node.items as Schema | undefined)
          : (node.properties as Record<string, Schema> | undefined)?.[key];
      return next ? alternatives(next) : [];
    });
  }
  return current;
}

/** The JSON types the document allows at `path`, or undefined when it does not say. */
function allowedTypes(schema: Schema, path: Path): Set<string> | undefined {
  const types = new Set<string>();
  for (const node of schemasAt(schema, path)) {
    const type = node.type as string | string[] | undefined;
    for (const name of Array.isArray(type) ? type : type ? [type] : []) types.add(name);
    if ('const' in node) types.add(jsonType(node.const as Json));
  }
  return types.size > 0 ? types : undefined;
}

function jsonType(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** One value of each JSON type; the object one is also a query operator. */
const WRONG_VALUES: Json[] = ['fuzz', 7, 1.5, true, null, ['fuzz'], { $gt: '' }];

function fits(value: Json, allowed: Set<string>): boolean {
  const type = jsonType(value);
  return allowed.has(type) || (type === 'integer' && allowed.has('number'));
}

function deepObject(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

function deepArray(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

const encoder = new TextEncoder();
const byteLength = (text: string) => encoder.encode(text).length;

/** Splices raw bytes into the JSON text of `body` in place of the string at `path`. */
function withBytes(body: Json, path: Path, bytes: number[]): Uint8Array {
  const [before, after] = JSON.stringify(setAt(body, path, RAW)).split(RAW) as [string, string];
  return new Uint8Array([...encoder.encode(before), ...bytes, ...encoder.encode(after)]);
}

export interface BodyContext {
  /** A body the operation accepts. */
  valid: JsonObject;
  /** The document's JSON schema for the body. */
  schema: Schema;
  /** JSON_BODY_LIMIT in bytes. */
  limit: number;
}

/** Cases that any write route must refuse before it runs, body or not. */
export function parserCases(valid: JsonObject, limit: number): HostileCase[] {
  const text = JSON.stringify(valid);
  const firstString = positions(valid).find(({ value }) => typeof value === 'string')?.path ?? ['text'];
  const cases: Omit<HostileCase, 'family' | 'parserLevel'>[] = [
    { name: 'truncated JSON', body: text.slice(0, -1), status: 400, code: 'MALFORMED_JSON' },
    { name: 'trailing garbage', body: `${text}}`, status: 400, code: 'MALFORMED_JSON' },
    { name: 'single-quoted JSON', body: text.replaceAll('"', "'"), status: 400, code: 'MALFORMED_JSON' },
    { name: 'a comment in JSON', body: `/* hi */${text}`, status: 400, code: 'MALFORMED_JSON' },
    { name: 'NaN', body: '{"a": NaN}', status: 400, code: 'MALFORMED_JSON' },
    {
      name: 'invalid UTF-8 in a string',
      body: withBytes(valid, firstString, [0xff, 0xfe, 0x41]),
      status: 400,
      code: 'MALFORMED_JSON',
    },
    {
      name: 'an overlong UTF-8 encoding of "/"',
      body: withBytes(valid, firstString, [0xc0, 0xaf]),
      status: 400,
      code: 'MALFORMED_JSON',
    },
    {
      name: 'an unpaired surrogate escape',
      body: withRaw(valid, firstString, '"a\\ud800b"'),
      status: 400,
      code: 'MALFORMED_JSON',
    },
    {
      name: 'JSON as text/plain',
      body: text,
      contentType: 'text/plain',
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'a form',
      body: 'email=a%40b.c&password=x',
      contentType: 'application/x-www-form-urlencoded',
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'multipart',
      body: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n',
      contentType: 'multipart/form-data; boundary=x',
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'XML',
      body: '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b SYSTEM "file:///etc/passwd">]><a>&b;</a>',
      contentType: 'application/xml',
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'no Content-Type',
      body: encoder.encode(text),
      contentType: null,
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'UTF-16 JSON',
      body: new Uint8Array(Buffer.from(text, 'utf16le')),
      contentType: `${JSON_TYPE}; charset=utf-16le`,
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'an unknown charset',
      body: text,
      contentType: `${JSON_TYPE}; charset=klingon`,
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'an unknown Content-Encoding',
      body: text,
      headers: { 'content-encoding': 'compress' },
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'gzip that is not gzip',
      body: text,
      headers: { 'content-encoding': 'gzip' },
      status: 400,
      code: 'BAD_REQUEST',
    },
    {
      // A few kilobytes on the wire that inflate far past the limit.
      name: 'a gzip bomb',
      body: new Uint8Array(gzipSync(Buffer.from(`{"a":"${'0'.repeat(limit * 50)}"}`))),
      headers: { 'content-encoding': 'gzip' },
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    },
    {
      name: 'one byte over the size limit',
      body: padTo(valid, limit + 1),
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    },
    {
      name: `an array nested ${NESTING_DEPTH * 10} deep (over the size limit)`,
      body: deepArray(NESTING_DEPTH * 10),
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    },
  ];
  return cases.map((entry) => ({ ...entry, family: 'not JSON', parserLevel: true }));
}

/** The valid body with an extra field padding it to exactly `bytes` bytes. */
function padTo(valid: JsonObject, bytes: number): string {
  const empty = JSON.stringify({ ...valid, padding: '' });
  return JSON.stringify({ ...valid, padding: 'x'.repeat(bytes - byteLength(empty)) });
}

/** Every hostile case for a route that takes a JSON body. */
export function bodyCases({ valid, schema, limit }: BodyContext): HostileCase[] {
  const fields = positions(valid);
  // Optional fields of the document that the valid body leaves out are fuzzed too.
  const properties = Object.keys((schema.properties as Record<string, unknown> | undefined) ?? {});
  const absent = properties.filter((key) => !(key in valid)).map((key) => ({ path: [key], value: null }));
  const invalid = (name: string, body: string, field?: Path): Omit<HostileCase, 'family'> => ({
    name,
    body,
    status: 400,
    code: 'VALIDATION_FAILED',
    ...(field ? { field: dotted(field) } : {}),
  });

  const notJson: Omit<HostileCase, 'family'>[] = [
    ...parserCases(valid, limit),
    { name: 'JSON null', body: 'null', status: 400, code: 'MALFORMED_JSON' },
    { name: 'a JSON number', body: '42', status: 400, code: 'MALFORMED_JSON' },
    { name: 'a JSON string', body: '"text"', status: 400, code: 'MALFORMED_JSON' },
    { name: 'JSON true', body: 'true', status: 400, code: 'MALFORMED_JSON' },
    invalid('an empty body', ''),
    invalid('an empty array', '[]'),
    invalid('the valid body inside an array', `[${JSON.stringify(valid)}]`),
    invalid('an empty object', '{}'),
  ];

  const deep: Omit<HostileCase, 'family'>[] = [
    invalid(`an object nested ${NESTING_DEPTH} deep`, deepObject(NESTING_DEPTH)),
    invalid(`an array nested ${NESTING_DEPTH} deep`, deepArray(NESTING_DEPTH)),
    ...fields.map(({ path }) =>
      invalid(
        `${dotted(path)} as an object nested ${NESTING_DEPTH} deep`,
        withRaw(valid, path, deepObject(NESTING_DEPTH)),
        path,
      ),
    ),
    ...fields.map(({ path }) =>
      invalid(
        `${dotted(path)} as an array nested ${NESTING_DEPTH} deep`,
        withRaw(valid, path, deepArray(NESTING_DEPTH)),
        path,
      ),
    ),
  ];

  const strings = fields.filter(({ value }) => typeof value === 'string');
  const numbers = fields.filter(({ value }) => typeof value === 'number');
  const arrays = fields.filter(({ value }) => Array.isArray(value));
  const stringFilling = (path: Path, unit: string, bytes: number) => {
    const empty = byteLength(JSON.stringify(setAt(valid, path, '')));
    return JSON.stringify(setAt(valid, path, unit.repeat(Math.floor((bytes - empty) / byteLength(unit)))));
  };
  const huge: Omit<HostileCase, 'family'>[] = [
    // Exactly at the limit the body is read and validated; one byte more is a parser case (413).
    ...strings.flatMap(({ path }) => [
      invalid(`${dotted(path)} filling the body to the size limit`, stringFilling(path, 'x', limit), path),
      invalid(
        `${dotted(path)} of multi-byte characters up to the limit`,
        stringFilling(path, '€', limit),
        path,
      ),
    ]),
    ...numbers.flatMap(({ path }) =>
      ['1e400', '-1e400', '123456789012345678901234567890', '9007199254740993'].map((raw) =>
        invalid(`${dotted(path)} = ${raw}`, withRaw(valid, path, raw), path),
      ),
    ),
    ...arrays.map(({ path }) =>
      invalid(
        `${dotted(path)} with 40,000 wrong elements`,
        withRaw(valid, path, `[${Array.from({ length: 40_000 }, () => '0').join(',')}]`),
        path,
      ),
    ),
    invalid(
      'five thousand unknown fields',
      JSON.stringify({
        ...valid,
        ...Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`f${i}`, i])),
      }),
    ),
  ];

  const wrongTypes: Omit<HostileCase, 'family'>[] = [...fields, ...absent].flatMap(({ path }) => {
    const allowed = allowedTypes(schema, path);
    if (!allowed) throw new Error(`the document gives no type for ${dotted(path)}`);
    return WRONG_VALUES.filter((value) => !fits(value, allowed)).map((value) =>
      invalid(`${dotted(path)} = ${JSON.stringify(value)}`, JSON.stringify(setAt(valid, path, value)), path),
    );
  });

  const pollution = { isAdmin: true, polluted: POLLUTION_MARK, roles: ['admin'] };
  const withKey = (path: Path, key: string, value: Json) => {
    const target =
      path.length === 0
        ? valid
        : (fields.find((field) => dotted(field.path) === dotted(path))!.value as JsonObject);
    return JSON.stringify(setAt(valid, path, { [PROTO_KEY]: value, ...target })).replace(
      `"${PROTO_KEY}"`,
      JSON.stringify(key),
    );
  };
  const objects: Path[] = [
    [],
    ...fields.filter(({ value }) => jsonType(value) === 'object').map(({ path }) => path),
  ];
  const prototype: Omit<HostileCase, 'family'>[] = [
    ...objects.flatMap((path) => {
      const where = path.length === 0 ? 'at the top' : `in ${dotted(path)}`;
      return [
        invalid(`__proto__ ${where}`, withKey(path, '__proto__', pollution)),
        invalid(`constructor.prototype ${where}`, withKey(path, 'constructor', { prototype: pollution })),
        invalid(`prototype ${where}`, withKey(path, 'prototype', pollution)),
      ];
    }),
    invalid('__proto__ alone', `{"__proto__": ${JSON.stringify(pollution)}}`),
    invalid(
      '__proto__ twice',
      `{"__proto__": ${JSON.stringify(pollution)}, "__proto__": {"polluted": "${POLLUTION_MARK}"}}`,
    ),
    invalid(
      'Object.prototype method names as fields',
      JSON.stringify({
        ...valid,
        hasOwnProperty: POLLUTION_MARK,
        toString: 1,
        valueOf: null,
        toJSON: POLLUTION_MARK,
      }),
    ),
  ];

  const families: [Family, Omit<HostileCase, 'family'>[]][] = [
    ['not JSON', notJson],
    ['deep nesting', deep],
    ['huge values', huge],
    ['wrong types', wrongTypes],
    ['prototype pollution', prototype],
  ];
  return families.flatMap(([family, cases]) => cases.map((entry) => ({ ...entry, family })));
}
