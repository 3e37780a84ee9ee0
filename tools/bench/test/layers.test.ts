import type { CallgrindProfile } from '../src/callgrind';
import { functionKey, parseCallgrind } from '../src/callgrind';
import type { ResolvedFunction } from '../src/layers';
import {
  attributeLayers,
  layerOf,
  mergeProfile,
  nameParts,
  packageOf,
  PerfMap,
  renderCallgrind,
  resolveContext,
  resolveFunction,
  shortPath,
  workApart,
} from '../src/layers';

const ROOT = '/work/repo';

describe('PerfMap', () => {
  const map = new PerfMap(
    [
      `1000 100 JS:*handle ${ROOT}/node_modules/router/lib/layer.js:152:45`,
      `2000 40 JS:~helmet ${ROOT}/node_modules/helmet/index.cjs:548:3`,
      'not a line',
      // The same memory reused by newer code: the later entry names it.
      `2000 80 JS:^verify ${ROOT}/node_modules/jsonwebtoken/verify.js:20:10`,
      '3000 10 Builtin:ArgumentsAdaptorTrampoline',
    ].join('\n'),
  );

  it('names the code covering an address, the last entry for reused memory', () => {
    expect(map.lookup(0x1000)).toContain('handle');
    expect(map.lookup(0x10ff)).toContain('handle');
    expect(map.lookup(0x2050)).toContain('verify');
    expect(map.lookup(0x3005)).toBe('Builtin:ArgumentsAdaptorTrampoline');
  });

  it('names nothing between and outside the entries', () => {
    expect(map.lookup(0x1100)).toBeUndefined();
    expect(map.lookup(0xfff)).toBeUndefined();
    expect(map.lookup(0x3010)).toBeUndefined();
    expect(map.size).toBe(3);
  });
});

describe('resolveFunction', () => {
  const map = new PerfMap(
    [
      `d063f40 378 JS:~handle ${ROOT}/node_modules/router/lib/layer.js:152:45`,
      `d064300 170 JS:*handle ${ROOT}/node_modules/router/lib/layer.js:152:45`,
      `d065000 100 JS:* ${ROOT}/libs/service-kit/dist/http/app.js:60:13`,
    ].join('\n'),
  );

  it("names generated code by its JavaScript function, one key for all of a function's tiers and pieces", () => {
    const interpreted = resolveFunction({ object: '???', name: '0x000000000d063f40', self: 0 }, map);
    const optimized = resolveFunction({ object: '???', name: "0x000000000d064310'2", self: 0 }, map);
    expect(interpreted).toEqual({
      key: `JS handle ${ROOT}/node_modules/router/lib/layer.js:152:45`,
      label: 'handle (node_modules/router/lib/layer.js:152)',
      file: `${ROOT}/node_modules/router/lib/layer.js`,
      line: 152,
      functionName: 'handle',
    });
    expect(optimized.key).toBe(interpreted.key);
  });

  it('calls a function without a name anonymous, and code the map lacks generated code', () => {
    expect(resolveFunction({ object: '???', name: '0x000000000d065010', self: 0 }, map).functionName).toBe(
      '(anonymous)',
    );
    expect(resolveFunction({ object: '???', name: '0x00000000000000ff', self: 0 }, map).key).toBe(
      'generated code (not in the perf map)',
    );
  });

  it('keeps native functions by object and name, without the recursion depth', () => {
    const native = resolveFunction(
      { object: '/usr/bin/node', name: "Builtins_CallFunction'3", self: 0 },
      map,
    );
    expect(native).toEqual({
      key: functionKey('/usr/bin/node', 'Builtins_CallFunction'),
      label: 'Builtins_CallFunction [node]',
      object: '/usr/bin/node',
      symbol: 'Builtins_CallFunction',
    });
  });
});

describe('names in context (--separate-callers)', () => {
  const map = new PerfMap(
    [
      `d063f40 378 JS:*verify ${ROOT}/node_modules/jwa/index.js:150:20`,
      `d070000 100 JS:~handle ${ROOT}/node_modules/router/lib/layer.js:152:45`,
    ].join('\n'),
  );

  it('splits a name into the function and its callers, leaving out recursion depths', () => {
    expect(nameParts("Builtins_Call'0x000000000d063f40'2'handle")).toEqual([
      'Builtins_Call',
      '0x000000000d063f40',
      'handle',
    ]);
    expect(nameParts('uv_run')).toEqual(['uv_run']);
  });

  it('names the callers by their JavaScript functions, folding the pieces of one function', () => {
    const context = resolveContext(
      {
        object: '/usr/bin/node',
        name: "Builtins_CallFunction'Builtins_Call'0x000000000d063f50'0x000000000d064000'0x000000000d070010",
        self: 0,
      },
      map,
    );
    expect(context.self.symbol).toBe('Builtins_CallFunction');
    expect(context.callers).toEqual([
      'Builtins_Call',
      `JS verify ${ROOT}/node_modules/jwa/index.js:150:20`,
      `JS handle ${ROOT}/node_modules/router/lib/layer.js:152:45`,
    ]);
    // A piece of a function called from another piece of it: the same function, no caller of its own.
    expect(
      resolveContext({ object: '???', name: "0x000000000d063f60'0x000000000d063f40'uv_run", self: 0 }, map)
        .callers,
    ).toEqual(['uv_run']);
  });
});

describe('packageOf and shortPath', () => {
  it('take the last node_modules, with scopes', () => {
    expect(packageOf(`${ROOT}/node_modules/express/lib/response.js`)).toBe('express');
    expect(packageOf(`${ROOT}/node_modules/@pinojs/redact/index.js`)).toBe('@pinojs/redact');
    expect(packageOf(`${ROOT}/node_modules/body-parser/node_modules/qs/lib/parse.js`)).toBe('qs');
    expect(packageOf(`${ROOT}/libs/service-kit/dist/http/app.js`)).toBeUndefined();
    expect(shortPath(`${ROOT}/libs/service-kit/dist/http/app.js`)).toBe('libs/service-kit/dist/http/app.js');
    expect(shortPath('node:internal/streams/readable')).toBe('node:internal/streams/readable');
  });
});

describe('layerOf', () => {
  const js = (file: string, functionName = 'f'): ResolvedFunction => ({
    key: `${file} ${functionName}`,
    label: functionName,
    file: `${ROOT}/${file}`,
    line: 1,
    functionName,
  });

  it('puts packages in their layer, and res.json in serialisation', () => {
    expect(layerOf(js('node_modules/router/index.js'))).toBe('routing');
    expect(layerOf(js('node_modules/express/lib/application.js'))).toBe('routing');
    expect(layerOf(js('node_modules/express/lib/response.js'))).toBe('serialisation');
    expect(layerOf(js('node_modules/pino/lib/proto.js'))).toBe('logging');
    expect(layerOf(js('node_modules/helmet/index.cjs'))).toBe('security-headers');
    expect(layerOf(js('node_modules/prom-client/lib/histogram.js'))).toBe('metrics');
    expect(layerOf(js('node_modules/zod/v4/core/parse.js'))).toBe('validation');
    expect(layerOf(js('node_modules/jws/lib/verify-stream.js'))).toBe('authentication');
    expect(layerOf(js('node_modules/bson/lib/bson.cjs'))).toBe('database');
    expect(layerOf(js('node_modules/left-pad/index.js'))).toBe('other-js');
  });

  it("leaves node's modules, V8 and shared helpers neutral, for their caller's layer", () => {
    expect(layerOf(js('node_modules/on-finished/index.js'))).toBeUndefined();
    expect(layerOf(js('node_modules/express/lib/utils.js'))).toBeUndefined();
    expect(layerOf(js('libs/service-kit/dist/http/server.js', 'AppRequest'))).toBeUndefined();
    expect(
      layerOf({ key: 'x', label: 'emit', file: 'node:events', line: 1, functionName: 'emit' }),
    ).toBeUndefined();
    expect(layerOf({ key: 'y', label: 'B [node]', symbol: 'Builtins_JsonStringify' })).toBeUndefined();
  });

  it('sets background JIT compilation and major GC jobs apart, wherever they run', () => {
    const native = (symbol: string): ResolvedFunction => ({ key: symbol, label: symbol, symbol });
    expect(layerOf(native('v8::internal::OptimizingCompileDispatcher::CompileTask::RunInternal()'))).toBe(
      'jit',
    );
    expect(layerOf(native('v8::internal::ConcurrentMarking::JobTaskMajor::Run(v8::JobDelegate*)'))).toBe(
      'major-gc',
    );
    expect(layerOf(native('v8::internal::Sweeper::SweeperJob::Run(v8::JobDelegate*)'))).toBe('major-gc');
    expect(
      layerOf(native('v8::internal::ScavengerCollector::JobTask::Run(v8::JobDelegate*)')),
    ).toBeUndefined();
  });

  it("splits the kit's files by what each function does", () => {
    const kit = (module: string, name: string, line?: string) =>
      layerOf(js(`libs/service-kit/dist/${module}.js`, name), line);
    expect(kit('http/request-logging', 'requestIdFor')).toBe('request-id');
    expect(kit('http/request-logging', 'requestSummary')).toBe('logging');
    expect(kit('http/router', 'validate')).toBe('validation');
    expect(kit('http/router', 'parsed')).toBe('validation');
    expect(kit('http/router', 'handle')).toBe('handler');
    expect(kit('http/router', 'validateAndHandle')).toBe('handler');
    expect(kit('http/router', 'methodGuard')).toBe('routing');
    expect(kit('http/router', 'documentedPath')).toBe('routing');
    expect(kit('http/json-response', 'sendJson')).toBe('serialisation');
    expect(kit('http/app', 'rejectLoneSurrogates')).toBe('body-parsing');
    expect(kit('http/app', 'readJsonBody')).toBe('body-parsing');
    expect(kit('http/app', '(anonymous)', "        res.setHeader('Cache-Control', 'no-store');")).toBe(
      'security-headers',
    );
    expect(kit('http/app', '(anonymous)', '    app.use((req, res, next) => {')).toBe('routing');
    expect(
      kit('service', 'isShuttingDown', '            isShuttingDown: () => this.readiness.isShuttingDown,'),
    ).toBe('security-headers');
    expect(kit('http/errors-middleware', 'toHttpError')).toBe('errors');
    expect(kit('auth/verifier', 'verify')).toBe('authentication');
    expect(kit('database-metrics', 'finished')).toBe('metrics');
    expect(layerOf(js('apps/discounts/dist/items-client.js'))).toBe('upstream');
    expect(layerOf(js('apps/items/dist/routes/items-routes.js'))).toBe('handler');
    expect(layerOf(js('apps/items/dist/schemas.js'))).toBe('validation');
    expect(layerOf(js('apps/auth/dist/models/user.js'))).toBe('database');
    expect(kit('schemas', 'objectId')).toBe('validation');
    expect(layerOf(js('tools/bench/dist/baseline/server.js'))).toBe('handler');
  });

  it("splits the kit's arrival middleware by its parts, in whichever kit file each is", () => {
    const kit = (module: string, name: string, line?: string) =>
      layerOf(js(`libs/service-kit/dist/${module}.js`, name), line);
    expect(kit('http/app', 'assignRequestId')).toBe('request-id');
    expect(kit('http/request-logging', 'assignRequestId')).toBe('request-id');
    expect(kit('http/app', 'requestIdFor')).toBe('request-id');
    expect(kit('http/app', 'setResponseHeaders')).toBe('security-headers');
    expect(kit('http/app', 'labelRoute')).toBe('routing');
    expect(kit('http/app', 'observeWhenClosed')).toBe('metrics');
    expect(kit('http/app', 'recordClosedRequest')).toBe('metrics');
    expect(kit('http/request-logging', 'logFinishedRequest')).toBe('logging');
    // The close listener written as an arrow function, and arrive before it calls its parts by name.
    expect(kit('http/app', '(anonymous)', "        res.once('close', () => {")).toBe('metrics');
    expect(kit('http/app', 'arrive', '    app.use(function arrive(req, res, next) {')).toBe(
      'security-headers',
    );
    // The names mean nothing elsewhere.
    expect(layerOf(js('apps/items/dist/routes/items-routes.js', 'labelRoute'))).toBe('handler');
  });
});

/**
 * uv_run → express handle (routing) → Call trampoline (neutral) → helmet (security headers);
 * helmet calls setHeader (neutral node code); handle also calls JSON.stringify (neutral).
 */
const GRAPH = `positions: line
events: Ir
fn=(1) uv_run
0 100
cfn=(2) 0x0000000000001000
calls=1 0
0 1000
fn=(2)
0 300
cfn=(3) Builtins_Call
calls=2 0
0 500
cfn=(5) Builtins_JsonStringify
calls=1 0
0 200
cfn=(2)
calls=1 0
0 40
fn=(3)
0 20
cfn=(4) 0x0000000000002000
calls=2 0
0 480
fn=(4)
0 400
cfn=(6) setHeader
calls=4 0
0 80
fn=(5)
0 200
fn=(6)
0 80
totals: 1100
`;

describe('mergeProfile and attributeLayers', () => {
  const map = new PerfMap(
    [
      `1000 100 JS:*handle ${ROOT}/node_modules/router/lib/layer.js:152:45`,
      `2000 100 JS:*helmet ${ROOT}/node_modules/helmet/index.cjs:548:3`,
    ].join('\n'),
  );
  const profile: CallgrindProfile = parseCallgrind(GRAPH);
  const merged = mergeProfile(profile, map);

  it('drops the calls of a function to itself (pieces of one function)', () => {
    const handle = merged.nodes.find((node) => node.resolved.functionName === 'handle')!;
    expect(handle.self).toBe(300);
    expect([...handle.calls.keys()].map((index) => merged.nodes[index]!.resolved.label)).toEqual([
      'Builtins_Call [???]',
      'Builtins_JsonStringify [???]',
    ]);
  });

  it("gives each layer its functions' own instructions and the neutral work they call, and the rest to runtime", () => {
    const layers = attributeLayers(merged, (fn) => layerOf(fn));
    // handle: its own 300, JSON.stringify 200, and the trampoline's own 20 (its only caller).
    expect(layers.routing).toBeCloseTo(520, 6);
    // helmet: its own 400 and setHeader's 80.
    expect(layers['security-headers']).toBeCloseTo(480, 6);
    expect(layers.runtime).toBeCloseTo(100, 6);
    const sum = Object.values(layers).reduce((total, value) => total + value, 0);
    expect(sum).toBeCloseTo(1100, 6);
  });

  it('writes a callgrind file callgrind_annotate can read back, with the same totals', () => {
    const text = renderCallgrind(merged, 'test');
    const reread = parseCallgrind(text);
    expect(reread.total).toBe(1100);
    const selfTotal = [...reread.functions.values()].reduce((total, fn) => total + fn.self, 0);
    expect(selfTotal).toBe(1100);
    expect(text).toContain('fl=(1) ???');
    expect(text).toContain('fn=(2) handle (node_modules/router/lib/layer.js:152)');
    expect(text).toContain('cfi=(3) node_modules/helmet/index.cjs');
  });
});

describe('attributeLayers with callers in the names', () => {
  // Two layers call one neutral trampoline: for one it calls costly neutral code, for the other a callback.
  const TRAMPOLINE = `positions: line
events: Ir
fn=(1) uv_run
0 10
cfn=(2) 0x0000000000001000
calls=1 0
0 1000
cfn=(3) 0x0000000000002000
calls=1 0
0 100
fn=(2)
0 100
cfn=(4) Builtins_Call'0x0000000000001000
calls=1 0
0 900
fn=(3)
0 60
cfn=(5) Builtins_Call'0x0000000000002000
calls=1 0
0 40
fn=(4)
0 10
cfn=(6) ECDSA_verify'Builtins_Call'0x0000000000001000
calls=1 0
0 890
fn=(5)
0 10
cfn=(7) 0x0000000000003000'Builtins_Call'0x0000000000002000
calls=1 0
0 30
fn=(6)
0 890
fn=(7)
0 30
totals: 1110
`;
  const map = new PerfMap(
    [
      `1000 100 JS:*verify ${ROOT}/node_modules/jwa/index.js:150:20`,
      `2000 100 JS:*helmet ${ROOT}/node_modules/helmet/index.cjs:548:3`,
      `3000 100 JS:*logFinishedRequest ${ROOT}/libs/service-kit/dist/http/request-logging.js:40:5`,
    ].join('\n'),
  );

  it('charges each call of the shared trampoline to the layer that made it', () => {
    const layers = attributeLayers(mergeProfile(parseCallgrind(TRAMPOLINE), map, { context: true }), (fn) =>
      layerOf(fn),
    );
    expect(layers.authentication).toBeCloseTo(1000, 6);
    expect(layers['security-headers']).toBeCloseTo(70, 6);
    expect(layers.logging).toBeCloseTo(30, 6);
    expect(layers.runtime).toBeCloseTo(10, 6);
  });

  it('without the callers, shares what the trampoline does alone among all its callers', () => {
    const merged = mergeProfile(parseCallgrind(TRAMPOLINE), map);
    const layers = attributeLayers(merged, (fn) => layerOf(fn));
    expect(merged.nodes.filter((node) => node.resolved.symbol === 'Builtins_Call')).toHaveLength(1);
    expect(layers.authentication).toBeLessThan(1000);
    expect(layers['security-headers']).toBeGreaterThan(70);
  });
});

describe("attributeLayers on the kit's arrival middleware", () => {
  // arrive calls its four parts; node's own code they call (randomUUID, setHeader, once) is theirs.
  // The 'close' listener runs later from node's emit: the duration, then the log line's level check.
  const ARRIVAL = `events: Ir
fn=(1) uv_run
0 10
cfn=(2) 0x0000000000001000
calls=1 0
0 2800
cfn=(11) 0x0000000000009000
calls=1 0
0 430
fn=(2)
0 50
cfn=(3) 0x0000000000002000
calls=1 0
0 700
cfn=(5) 0x0000000000003000
calls=1 0
0 1500
cfn=(7) 0x0000000000005000
calls=1 0
0 350
cfn=(9) 0x0000000000007000
calls=1 0
0 200
fn=(3)
0 200
cfn=(4) 0x0000000000002800
calls=1 0
0 500
fn=(4)
0 500
fn=(5)
0 100
cfn=(6) 0x0000000000004000
calls=14 0
0 1400
fn=(6)
0 1400
fn=(7)
0 50
cfn=(8) 0x0000000000006000
calls=1 0
0 300
fn=(8)
0 300
fn=(9)
0 80
cfn=(10) 0x0000000000008000
calls=1 0
0 120
fn=(10)
0 120
fn=(11)
0 50
cfn=(12) 0x000000000000a000
calls=1 0
0 380
fn=(12)
0 60
cfn=(13) 0x000000000000b000
calls=1 0
0 250
cfn=(14) 0x000000000000c000
calls=1 0
0 70
fn=(13)
0 250
fn=(14)
0 40
cfn=(15) 0x000000000000d000
calls=1 0
0 30
fn=(15)
0 30
totals: 3240
`;
  const kit = `${ROOT}/libs/service-kit/dist`;
  const map = new PerfMap(
    [
      `1000 100 JS:*arrive ${kit}/http/app.js:131:22`,
      `2000 100 JS:*assignRequestId ${kit}/http/app.js:110:25`,
      `2800 100 JS:*randomUUID node:internal/crypto/random:500:20`,
      `3000 100 JS:*setResponseHeaders ${kit}/http/app.js:115:28`,
      `4000 100 JS:*setHeader node:_http_outgoing:650:48`,
      `5000 100 JS:*labelRoute ${kit}/http/app.js:120:20`,
      `6000 100 JS:*documentedPath ${kit}/http/router.js:160:19`,
      `7000 100 JS:*observeWhenClosed ${kit}/http/app.js:125:27`,
      `8000 100 JS:*once node:events:600:44`,
      `9000 100 JS:*emit node:events:450:44`,
      `a000 100 JS:*recordClosedRequest ${kit}/http/app.js:127:41`,
      `b000 100 JS:* ${kit}/metrics.js:120:12`,
      `c000 100 JS:*logFinishedRequest ${kit}/http/request-logging.js:40:28`,
      `d000 100 JS:*isLevelEnabled ${ROOT}/node_modules/pino/lib/levels.js:150:24`,
    ].join('\n'),
  );

  it('gives each part its own instructions and the node code it calls', () => {
    const layers = attributeLayers(mergeProfile(parseCallgrind(ARRIVAL), map, { context: true }), (fn) =>
      layerOf(fn),
    );
    expect(layers['request-id']).toBeCloseTo(700, 6); // assignRequestId and randomUUID
    expect(layers['security-headers']).toBeCloseTo(1550, 6); // setResponseHeaders, setHeader, arrive's own
    expect(layers.routing).toBeCloseTo(350, 6); // labelRoute and the router's documentedPath
    expect(layers.metrics).toBeCloseTo(510, 6); // observeWhenClosed, once, the listener, the histogram
    expect(layers.logging).toBeCloseTo(70, 6); // the log line's level check
    expect(layers.runtime).toBeCloseTo(60, 6); // the event loop and emit
    const sum = Object.values(layers).reduce((total, value) => total + value, 0);
    expect(sum).toBeCloseTo(3240, 6);
  });
});

describe('workApart', () => {
  it('counts background JIT compilation and all of a major GC once, whatever calls what', () => {
    const text = `events: Ir
fn=(1) v8::platform::DefaultJobWorker::Run()
0 10
cfn=(2) v8::internal::ConcurrentMarking::JobTaskMajor::Run(v8::JobDelegate*)
calls=1 0
0 500
cfn=(3) v8::internal::ScavengerCollector::JobTask::Run(v8::JobDelegate*)
calls=2 0
0 300
fn=(4) non-virtual thunk to v8::internal::CancelableTask::Run()
0 5
cfn=(5) v8::internal::OptimizingCompileDispatcher::CompileTask::RunInternal()
calls=1 0
0 900
fn=(6) v8::internal::Runtime_AllocateInYoungGeneration'0x0000000000001000
0 20
cfn=(7) v8::internal::Heap::MarkCompact()
calls=1 0
0 400
fn=(7)
0 100
cfn=(8) v8::internal::Sweeper::EnsureCompleted()
calls=1 0
0 300
fn=(2)
0 500
fn=(3)
0 300
fn=(5)
0 900
fn=(8)
0 300
totals: 2535
`;
    expect(workApart(parseCallgrind(text))).toEqual({ jitCompile: 900, majorGc: 900 });
  });
});
