/**
 * Where a request's instructions go: callgrind's per-function counts, with V8's generated code named
 * through node's perf map (`--perf-basic-prof`), grouped into the layers of the request path by the
 * source file of each JavaScript function. Pure functions only.
 *
 * callgrind sees V8's generated code as anonymous addresses; node writes, for every piece of code it
 * generates, its address range and the JavaScript function it belongs to (with
 * `--interpreted-frames-native-stack`, interpreted functions too). Each address is named by the last
 * entry covering it, since code memory is reused after a function's code is collected.
 */
import type { CallgrindFunction, CallgrindProfile } from './callgrind';
import type { WorkApart } from './callgrind';
import { functionKey, JIT_COMPILE_JOB, MAJOR_GC } from './callgrind';

export interface PerfMapEntry {
  start: number;
  size: number;
  name: string;
}

/** Address ranges of generated code and their names, looked up by address. */
export class PerfMap {
  /** Sorted by start; of several entries with the same start, the last written. */
  private readonly entries: PerfMapEntry[];
  private readonly maxSize: number;

  constructor(text: string) {
    const byStart = new Map<number, PerfMapEntry>();
    for (const line of text.split('\n')) {
      const match = /^([0-9a-fA-F]+) ([0-9a-fA-F]+) (.+)$/.exec(line);
      if (!match) continue;
      const entry = { start: parseInt(match[1]!, 16), size: parseInt(match[2]!, 16), name: match[3]! };
      byStart.delete(entry.start);
      byStart.set(entry.start, entry);
    }
    this.entries = [...byStart.values()].sort((a, b) => a.start - b.start);
    this.maxSize = this.entries.reduce((max, entry) => Math.max(max, entry.size), 0);
  }

  get size(): number {
    return this.entries.length;
  }

  /** The name of the code covering `address`, if any. */
  lookup(address: number): string | undefined {
    let low = 0;
    let high = this.entries.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (this.entries[middle]!.start <= address) {
        found = middle;
        low = middle + 1;
      } else high = middle - 1;
    }
    // Entries may overlap (memory reused by code of another size): the nearest covering one wins.
    for (let index = found; index >= 0; index--) {
      const entry = this.entries[index]!;
      if (address - entry.start >= this.maxSize) break;
      if (address < entry.start + entry.size) return entry.name;
    }
    return undefined;
  }
}

/** A callgrind function as the attribution sees it. */
export interface ResolvedFunction {
  /** Functions with the same key are one (the pieces and tiers of one JavaScript function). */
  key: string;
  /** For people: `handle (node_modules/router/lib/layer.js:152)` or `libc.so.6: memmove`. */
  label: string;
  /** The JavaScript source file, for a JavaScript function. */
  file?: string;
  line?: number;
  /** The JavaScript function's name (`(anonymous)` when it has none). */
  functionName?: string;
  /** The binary or library of native code, and its symbol. */
  object?: string;
  symbol?: string;
}

/** callgrind's name for code without a symbol: its address (and, for a section, its kind). */
const ADDRESS_NAME = /^0x([0-9a-fA-F]+)(?: \[[A-Za-z]+\])?$/;
/** `JS:*name /path/file.js:12:34`: the tier mark (~ interpreted, ^ baseline, + maglev, * optimized) goes. */
const JS_NAME = /^JS:[~^+*]?(.*?) ?(\S+):(\d+):(\d+)$/;

const shortObject = (object: string) => object.slice(object.lastIndexOf('/') + 1) || '???';

/** Shortens a path to what identifies it: from the last `node_modules/`, or from `apps/`, `libs/`, `tools/`. */
export function shortPath(file: string): string {
  const modules = file.lastIndexOf('node_modules/');
  if (modules >= 0) return file.slice(modules);
  const project = /\/((?:apps|libs|tools)\/.*)$/.exec(file);
  return project ? project[1]! : file;
}

/**
 * callgrind's name of a function: the function, then (with `--separate-callers`) its callers, each
 * after a `'`; a part that is a number is a recursion depth (`--separate-recs`), not a function.
 */
export function nameParts(name: string): string[] {
  return name.split("'").filter((part) => part !== '' && !/^\d+$/.test(part));
}

function resolvePart(part: string, object: string, perfMap: PerfMap | undefined): ResolvedFunction {
  const address = ADDRESS_NAME.exec(part);
  if (address) {
    const named = perfMap?.lookup(parseInt(address[1]!, 16));
    if (named === undefined)
      return { key: 'generated code (not in the perf map)', label: 'generated code (not in the perf map)' };
    const js = JS_NAME.exec(named);
    if (!js) return { key: named, label: named };
    const functionName = js[1] === '' ? '(anonymous)' : js[1]!;
    const file = js[2]!;
    const line = Number(js[3]);
    const key = `JS ${functionName} ${file}:${line}:${js[4]!}`;
    return { key, label: `${functionName} (${shortPath(file)}:${line})`, file, line, functionName };
  }
  return {
    key: `${object}\u0000${part}`,
    label: `${part} [${shortObject(object)}]`,
    object,
    symbol: part,
  };
}

/** The function itself, whatever context callgrind named it in. */
export function resolveFunction(fn: CallgrindFunction, perfMap: PerfMap | undefined): ResolvedFunction {
  return resolvePart(nameParts(fn.name)[0] ?? fn.name, fn.object, perfMap);
}

/**
 * The function and its callers' keys, nearest first, with repeats of one function folded (the
 * pieces of a JavaScript function call each other). A caller's object is not in the name: only
 * its symbol (or its JavaScript function) identifies it.
 */
export function resolveContext(
  fn: CallgrindFunction,
  perfMap: PerfMap | undefined,
): { self: ResolvedFunction; callers: string[] } {
  const [first, ...rest] = nameParts(fn.name);
  const self = resolvePart(first ?? fn.name, fn.object, perfMap);
  const callers: string[] = [];
  let previous = self.key.slice(self.key.indexOf('\u0000') + 1);
  for (const part of rest) {
    const resolved = resolvePart(part, '', perfMap);
    const key = resolved.file === undefined ? part : resolved.key;
    if (key !== previous) callers.push(key);
    previous = key;
  }
  return { self, callers };
}

export const LAYER_IDS = [
  'routing',
  'request-id',
  'logging',
  'security-headers',
  'metrics',
  'cookies',
  'body-parsing',
  'validation',
  'authentication',
  'database',
  'upstream',
  'handler',
  'serialisation',
  'errors',
  'other-js',
  'runtime',
  'jit',
  'major-gc',
] as const;

export type LayerId = (typeof LAYER_IDS)[number];

export interface Layer {
  id: LayerId;
  title: string;
  /** Left out of the counted figure and shown apart (JIT warm-up, a major GC in the window or not). */
  apart?: boolean;
}

export const LAYERS: readonly Layer[] = [
  {
    id: 'routing',
    title:
      'Routing: express, router, the kit’s route label on arrival (labelRoute), route table and method guard',
  },
  {
    id: 'request-id',
    title: 'Request id: the kit’s requestIdFor (randomUUID or the caller’s id), the header',
  },
  { id: 'logging', title: 'Logging: the kit’s finished-request log, pino (nothing below the level)' },
  {
    id: 'security-headers',
    title: 'Security headers: helmet’s headers read once at start-up, set per response with Cache-Control',
  },
  {
    id: 'metrics',
    title: 'Metrics: the kit’s close listener, prom-client (request histogram, database command histogram)',
  },
  { id: 'cookies', title: 'Cookies: cookie-parser, only on auth’s /refresh and /logout' },
  { id: 'body-parsing', title: 'Body parsing: body-parser, the kit’s JSON guards' },
  {
    id: 'validation',
    title: 'Validation: zod, the kit’s parsing of body, query and path, the services’ schemas',
  },
  { id: 'authentication', title: 'Authentication: jsonwebtoken, jws, jwa, the kit’s verifier and key set' },
  { id: 'database', title: 'Database call: mongoose, mongodb driver, bson' },
  { id: 'upstream', title: 'Call to another service: the items client, fetch' },
  { id: 'handler', title: 'Route handler: the service’s own code' },
  { id: 'serialisation', title: 'Serialisation: the kit’s sendJson, res.json, res.send' },
  { id: 'errors', title: 'Error path: the kit’s error handler, HttpError' },
  { id: 'other-js', title: 'Other JavaScript packages' },
  {
    id: 'runtime',
    title:
      'No application frame: node:http parsing and writing, sockets, event loop, promise jobs, GC helper threads',
  },
  { id: 'jit', title: 'V8’s optimizing compiler in the background (apart)', apart: true },
  { id: 'major-gc', title: 'Major GC: marking, its write barrier, the pause, sweeping (apart)', apart: true },
];

const PACKAGE_LAYERS: Record<string, LayerId> = {};
const assign = (layer: LayerId, packages: string[]) => {
  for (const name of packages) PACKAGE_LAYERS[name] = layer;
};
assign('routing', ['express', 'router', 'path-to-regexp', 'parseurl', 'finalhandler']);
assign('logging', [
  'pino',
  'pino-std-serializers',
  '@pinojs/redact',
  'fast-redact',
  'sonic-boom',
  'thread-stream',
  'on-exit-leak-free',
  'safe-stable-stringify',
  'quick-format-unescaped',
  'atomic-sleep',
  'get-caller-file',
  'process-warning',
  'pino-abstract-transport',
  'real-require',
]);
// helmet runs once, at start-up: the kit keeps the headers it sets.
assign('security-headers', ['helmet']);
assign('metrics', ['prom-client', 'tdigest', 'bintrees', '@opentelemetry/api']);
assign('cookies', ['cookie-parser', 'cookie', 'cookie-signature']);
assign('body-parsing', ['body-parser', 'raw-body', 'iconv-lite', 'bytes', 'unpipe', 'destroy']);
assign('validation', ['zod']);
assign('authentication', [
  'jsonwebtoken',
  'jws',
  'jwa',
  'ecdsa-sig-formatter',
  'buffer-equal-constant-time',
  'lodash.includes',
  'lodash.isboolean',
  'lodash.isinteger',
  'lodash.isnumber',
  'lodash.isplainobject',
  'lodash.isstring',
  'lodash.once',
  'jose',
  'jwks-rsa',
]);
assign('database', [
  'mongoose',
  'mongodb',
  'bson',
  'mquery',
  'mpath',
  'sift',
  'kareem',
  '@mongodb-js/saslprep',
  'mongodb-connection-string-url',
  'whatwg-url',
  'tr46',
  'webidl-conversions',
  'denque',
  'memory-pager',
  'sparse-bitfield',
]);

/**
 * Small packages several layers share (on-finished, ms, type-is, http-errors...): like node's own
 * modules, their cost belongs to the layer that called them, so they are left neutral.
 */
const SHARED_PACKAGES = new Set([
  'on-finished',
  'ee-first',
  'ms',
  'debug',
  'depd',
  'safe-buffer',
  'http-errors',
  'statuses',
  'setprototypeof',
  'inherits',
  'toidentifier',
  'content-type',
  'type-is',
  'media-typer',
  'mime-types',
  'mime-db',
  'negotiator',
  'accepts',
  'vary',
  'proxy-addr',
  'forwarded',
  'ipaddr.js',
  'fresh',
  'etag',
  'is-promise',
  'once',
  'wrappy',
  'merge-descriptors',
  'encodeurl',
  'escape-html',
  'qs',
  'semver',
]);

/** The package a file belongs to (`@scope/name` or `name`), from its last `node_modules/`. */
export function packageOf(file: string): string | undefined {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(file);
  return match?.[1];
}

/**
 * The parts of the kit's arrival middleware (`arrive` in http/app), by function name, wherever the
 * kit defines them: each does one concern for every request. The profiled run keeps them apart
 * (node runs with `--no-turbo-inlining`), so each keeps its own instructions.
 */
const ARRIVAL_PARTS = new Map<string, LayerId>([
  ['genReqId', 'request-id'],
  ['requestIdFor', 'request-id'],
  ['assignRequestId', 'request-id'],
  ['setResponseHeaders', 'security-headers'],
  // Its own instructions, while it does all of this itself, are mostly the headers it sets.
  ['arrive', 'security-headers'],
  ['labelRoute', 'routing'],
  ['observeWhenClosed', 'metrics'],
  ['recordClosedRequest', 'metrics'],
  ['logFinishedRequest', 'logging'],
]);

/** The kit's and the services' files, by their path inside the built package. */
function projectLayer(
  file: string,
  functionName: string,
  sourceLine: string | undefined,
): LayerId | undefined {
  const kit = /libs\/service-kit\/(?:dist|src)\/(.+)\.[jt]s$/.exec(file);
  if (kit) {
    const module = kit[1]!;
    if (module === 'http/app' || module === 'http/request-logging') {
      const part = ARRIVAL_PARTS.get(functionName);
      if (part !== undefined) return part;
    }
    if (module === 'http/app') {
      if (
        /^(requireJsonBody|requireUtf8|hasLoneSurrogate|rejectLoneSurrogates|readJsonBody|hasNoBody)$/.test(
          functionName,
        )
      )
        return 'body-parsing';
      // A listener without a name: the request's 'close' listener (the duration, then the log line).
      if (sourceLine !== undefined && /\.once\(\s*'close'/.test(sourceLine)) return 'metrics';
      if (sourceLine !== undefined && /Cache-Control/.test(sourceLine)) return 'security-headers';
      return 'routing';
    }
    if (module === 'http/request-logging') return 'logging';
    if (module === 'http/router') {
      if (/^(validate|parse|parsed|problems)$/.test(functionName)) return 'validation';
      if (/^(handle|validateAndHandle)$/.test(functionName)) return 'handler';
      return 'routing';
    }
    if (module === 'http/json-response') return 'serialisation';
    if (module === 'http/errors-middleware' || module === 'errors') return 'errors';
    if (module === 'http/upstream') return 'upstream';
    if (module === 'metrics' || module === 'database-metrics') return 'metrics';
    if (module.startsWith('auth/')) return 'authentication';
    if (module === 'database') return 'database';
    if (module === 'logger') return 'logging';
    if (module === 'schemas') return 'validation';
    if (module === 'paging') return 'handler';
    // Whether the service is stopping: read per request, for a `Connection: close` header.
    if ((module === 'service' || module === 'readiness') && /isShuttingDown$/.test(functionName))
      return 'security-headers';
    return 'other-js';
  }
  if (/apps\/discounts\/(?:dist|src)\/items-client\.[jt]s$/.test(file)) return 'upstream';
  // A service's zod schemas (refinements run while validating) and mongoose models (hooks, transforms).
  if (/apps\/[^/]+\/(?:dist|src)\/schemas\.[jt]s$/.test(file)) return 'validation';
  if (/apps\/[^/]+\/(?:dist|src)\/models\//.test(file)) return 'database';
  if (/apps\/[^/]+\/(?:dist|src)\//.test(file)) return 'handler';
  if (/tools\/bench\/(?:dist|src)\/baseline\//.test(file)) return 'handler';
  return undefined;
}

/**
 * The layer a function's own instructions belong to, or undefined for neutral code (V8, node's
 * own modules, libc, OpenSSL, shared helper packages), whose cost goes to the layer that called it.
 * `sourceLine` is the text of the function's first line, when the file can be read.
 */
export function layerOf(fn: ResolvedFunction, sourceLine?: string): LayerId | undefined {
  if (fn.symbol !== undefined) {
    if (JIT_COMPILE_JOB.test(fn.symbol)) return 'jit';
    if (MAJOR_GC.test(fn.symbol)) return 'major-gc';
    return undefined;
  }
  const file = fn.file;
  if (file === undefined || file.startsWith('node:')) return undefined;
  const name = packageOf(file);
  if (name !== undefined) {
    if (SHARED_PACKAGES.has(name)) return undefined;
    if (name === 'express') {
      if (/express\/lib\/response\.js$/.test(file)) return 'serialisation';
      if (/express\/lib\/utils\.js$/.test(file)) return undefined;
      return 'routing';
    }
    return PACKAGE_LAYERS[name] ?? 'other-js';
  }
  // The kit's server makes node's request and response objects (subclasses of node's): node's own work.
  if (/libs\/service-kit\/(?:dist|src)\/http\/server\.[jt]s$/.test(file)) return undefined;
  return projectLayer(file, fn.functionName ?? '', sourceLine) ?? 'other-js';
}

/** A function in the merged call graph. */
interface GraphNode {
  resolved: ResolvedFunction;
  self: number;
  calls: Map<number, { count: number; inclusive: number }>;
}

/** One profile's functions merged by their resolved identity; calls of a function to itself dropped. */
export interface MergedProfile {
  total: number;
  nodes: GraphNode[];
}

/**
 * Merges a profile's functions by their resolved identity: with `context`, one node per function
 * and callers (a profile taken with `--separate-callers`), else one per function. Calls of a node
 * to itself (pieces of one function) are dropped.
 */
export function mergeProfile(
  profile: CallgrindProfile,
  perfMap: PerfMap | undefined,
  options: { context: boolean } = { context: false },
): MergedProfile {
  const indexByKey = new Map<string, number>();
  const nodes: GraphNode[] = [];
  const indexByFunction = new Map<string, number>();
  for (const [functionKey, fn] of profile.functions) {
    const { self: resolved, callers } = resolveContext(fn, perfMap);
    const key = options.context ? [resolved.key, ...callers].join('\u0002') : resolved.key;
    let index = indexByKey.get(key);
    if (index === undefined) {
      index = nodes.length;
      indexByKey.set(key, index);
      nodes.push({ resolved, self: 0, calls: new Map() });
    }
    nodes[index]!.self += fn.self;
    indexByFunction.set(functionKey, index);
  }
  for (const call of profile.calls) {
    const from = indexByFunction.get(call.caller)!;
    const to = indexByFunction.get(call.callee)!;
    if (from === to) continue;
    const edges = nodes[from]!.calls;
    const edge = edges.get(to);
    if (edge) {
      edge.count += call.count;
      edge.inclusive += call.inclusive;
    } else edges.set(to, { count: call.count, inclusive: call.inclusive });
  }
  return { total: profile.total, nodes };
}

const FIXED_POINT_ROUNDS = 200;

/**
 * Instructions per layer. Each function with a layer keeps its own instructions and the part of
 * each neutral function it calls that is not spent in functions with a layer again (a callback).
 * callgrind records calls one level deep: a neutral node called from several places gives each the
 * same share of its cost, so the profile is taken with callers in the names (`--separate-callers`),
 * which splits a shared node (a call trampoline, a runtime function) by where it was called from.
 * What no function with a layer called is `runtime`.
 */
export function attributeLayers(
  merged: MergedProfile,
  layerFor: (fn: ResolvedFunction) => LayerId | undefined,
): Record<LayerId, number> {
  const layers = merged.nodes.map((node) => layerFor(node.resolved));
  const inclusive = merged.nodes.map(
    (node) => node.self + [...node.calls.values()].reduce((sum, edge) => sum + edge.inclusive, 0),
  );
  // Share of a neutral function's inclusive cost that stays neutral (not in a layer's function).
  let neutralShare = merged.nodes.map(() => 1);
  for (let round = 0; round < FIXED_POINT_ROUNDS; round++) {
    let change = 0;
    const next = merged.nodes.map((node, index) => {
      if (layers[index] !== undefined || inclusive[index]! <= 0) return 1;
      let inLayers = 0;
      for (const [callee, edge] of node.calls) {
        inLayers +=
          layers[callee] !== undefined ? edge.inclusive : edge.inclusive * (1 - neutralShare[callee]!);
      }
      const share = Math.min(1, Math.max(0, 1 - inLayers / inclusive[index]!));
      change = Math.max(change, Math.abs(share - neutralShare[index]!));
      return share;
    });
    neutralShare = next;
    if (change < 1e-9) break;
  }
  const result = Object.fromEntries(LAYERS.map((layer) => [layer.id, 0])) as Record<LayerId, number>;
  let attributed = 0;
  merged.nodes.forEach((node, index) => {
    const layer = layers[index];
    if (layer === undefined) return;
    let cost = node.self;
    for (const [callee, edge] of node.calls) {
      if (layers[callee] === undefined) cost += edge.inclusive * neutralShare[callee]!;
    }
    result[layer] += cost;
    attributed += cost;
  });
  result.runtime += merged.total - attributed;
  return result;
}

/** The functions with the highest inclusive cost (callees included), for a per-function view. */
export function topFunctions(
  merged: MergedProfile,
  count: number,
): { label: string; self: number; inclusive: number }[] {
  return merged.nodes
    .map((node) => ({
      label: node.resolved.label,
      self: node.self,
      inclusive: node.self + [...node.calls.values()].reduce((sum, edge) => sum + edge.inclusive, 0),
    }))
    .sort((a, b) => b.inclusive - a.inclusive)
    .slice(0, count);
}

/**
 * The merged profile as a callgrind file (functions named, no positions), for callgrind_annotate
 * or KCachegrind: `callgrind_annotate --inclusive=yes <file>`.
 */
export function renderCallgrind(merged: MergedProfile, description: string): string {
  const lines = [
    '# callgrind format',
    'version: 1',
    'creator: @platform/bench',
    `cmd: ${description}`,
    'positions: line',
    'events: Ir',
    `summary: ${merged.total}`,
    '',
  ];
  const compressed = () => {
    const ids = new Map<string, number>();
    return (name: string) => {
      const known = ids.get(name);
      if (known !== undefined) return `(${known})`;
      ids.set(name, ids.size + 1);
      return `(${ids.size}) ${name}`;
    };
  };
  const fileName = compressed();
  const functionName = compressed();
  const fileOf = (index: number) => {
    const { resolved } = merged.nodes[index]!;
    return resolved.file ? shortPath(resolved.file) : resolved.object || '???';
  };
  const nameOf = (index: number) => merged.nodes[index]!.resolved.label.replace(/\n/g, ' ');
  merged.nodes.forEach((node, index) => {
    if (node.self === 0 && node.calls.size === 0) return;
    lines.push(`fl=${fileName(fileOf(index))}`, `fn=${functionName(nameOf(index))}`, `0 ${node.self}`);
    for (const [callee, edge] of node.calls) {
      lines.push(
        `cfi=${fileName(fileOf(callee))}`,
        `cfn=${functionName(nameOf(callee))}`,
        `calls=${edge.count} 0`,
        `0 ${edge.inclusive}`,
      );
    }
    lines.push('');
  });
  lines.push(`totals: ${merged.total}`, '');
  return lines.join('\n');
}

/** Background JIT compilation and a major GC only: the rest of the profile is one neutral mass. */
function apartLayerOf(fn: ResolvedFunction): 'jit' | 'major-gc' | undefined {
  if (fn.symbol === undefined) return undefined;
  if (JIT_COMPILE_JOB.test(fn.symbol)) return 'jit';
  if (MAJOR_GC.test(fn.symbol)) return 'major-gc';
  return undefined;
}

/**
 * The instructions of background JIT compilation and of a major GC in a profile, everything they
 * call included (a GC function called from inside another counts once). Functions are taken as
 * callgrind names them: no perf map is needed.
 */
export function workApart(profile: CallgrindProfile): WorkApart {
  const indexByFunction = new Map<string, number>();
  const nodes: GraphNode[] = [];
  for (const [key, fn] of profile.functions) {
    indexByFunction.set(key, nodes.length);
    const symbol = nameParts(fn.name)[0] ?? fn.name;
    nodes.push({
      resolved: { key: functionKey(fn.object, fn.name), label: symbol, symbol },
      self: fn.self,
      calls: new Map(),
    });
  }
  for (const call of profile.calls) {
    const from = indexByFunction.get(call.caller)!;
    const to = indexByFunction.get(call.callee)!;
    if (from !== to) nodes[from]!.calls.set(to, { count: call.count, inclusive: call.inclusive });
  }
  const layers = attributeLayers({ total: profile.total, nodes }, apartLayerOf);
  return { jitCompile: layers.jit, majorGc: layers['major-gc'] };
}
