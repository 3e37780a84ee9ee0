/**
 * Reading callgrind's output files (format described in the Valgrind manual, "Callgrind Format
 * Specification"). Pure functions only: the text in, the counts out.
 */

/** One function as callgrind names it: its object (binary or library) and its name. */
export interface CallgrindFunction {
  object: string;
  name: string;
  /** Instructions executed in the function itself (its own cost lines, no callees). */
  self: number;
}

/** The calls from one function to another, and the instructions they cost, callees included. */
export interface CallgrindCall {
  caller: string;
  callee: string;
  count: number;
  inclusive: number;
}

export interface CallgrindProfile {
  /** `totals:` (or, failing that, `summary:`) of the first event, usually Ir. */
  total: number;
  /** The event counted, `Ir` for instructions executed. */
  event: string;
  /** Per function, keyed by `functionKey(object, name)`. */
  functions: Map<string, CallgrindFunction>;
  calls: CallgrindCall[];
  /** The thread the file covers (`--separate-threads=yes`), when the header says. */
  thread?: number;
}

export class CallgrindFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CallgrindFormatError';
  }
}

export const functionKey = (object: string, name: string) => `${object}\u0000${name}`;

/**
 * The instruction total of a callgrind file, from its `totals:` line (written at the end of a
 * dump) or its `summary:` line (the header): cheap, without parsing the cost lines.
 */
export function callgrindTotal(text: string): number {
  const totals = /^totals:\s+(\d+)/m.exec(text);
  const summary = /^summary:\s+(\d+)/m.exec(text);
  const found = totals ?? summary;
  if (!found) throw new CallgrindFormatError('no totals: or summary: line');
  return Number(found[1]);
}

type NameKind = 'ob' | 'fl' | 'fn';
const NAME_KIND: Record<string, NameKind> = {
  ob: 'ob',
  cob: 'ob',
  fl: 'fl',
  fi: 'fl',
  fe: 'fl',
  cfi: 'fl',
  cfl: 'fl',
  fn: 'fn',
  cfn: 'fn',
};

/** Resolves callgrind's name compression: `(12) name` defines id 12, a later `(12)` refers to it. */
class NameTable {
  private readonly names: Record<NameKind, Map<string, string>> = {
    ob: new Map(),
    fl: new Map(),
    fn: new Map(),
  };

  resolve(kind: NameKind, value: string, lineNumber: number): string {
    const match = /^\((\d+)\)(?:\s(.*))?$/.exec(value);
    if (!match) return value;
    const id = match[1]!;
    if (match[2] !== undefined) {
      this.names[kind].set(id, match[2]);
      return match[2];
    }
    const known = this.names[kind].get(id);
    if (known === undefined)
      throw new CallgrindFormatError(`line ${lineNumber}: ${kind} (${id}) is not defined`);
    return known;
  }
}

const COST_LINE = /^[0-9+\-*]/;

/**
 * Parses a whole callgrind file: each function's own instructions and each caller-callee pair's
 * inclusive cost. Positions (lines, addresses) are read past, not kept.
 */
export function parseCallgrind(text: string): CallgrindProfile {
  const names = new NameTable();
  const functions = new Map<string, CallgrindFunction>();
  const calls = new Map<string, CallgrindCall>();
  let positions = 1;
  let event = 'Ir';
  let totals: number | undefined;
  let summary: number | undefined;
  let thread: number | undefined;
  let object = '';
  let callObject: string | undefined;
  let current: CallgrindFunction | undefined;
  let currentKey = '';
  let pendingCall: { callee: string; count: number } | undefined;

  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (line === '' || line.startsWith('#')) continue;
    if (COST_LINE.test(line)) {
      const fields = line.trim().split(/\s+/);
      const cost = Number(fields[positions] ?? 0);
      if (!Number.isFinite(cost)) throw new CallgrindFormatError(`line ${index + 1}: bad cost "${line}"`);
      if (!current) throw new CallgrindFormatError(`line ${index + 1}: a cost before any fn=`);
      if (pendingCall) {
        const key = `${currentKey}\u0001${pendingCall.callee}`;
        const call = calls.get(key);
        if (call) {
          call.count += pendingCall.count;
          call.inclusive += cost;
        } else {
          calls.set(key, {
            caller: currentKey,
            callee: pendingCall.callee,
            count: pendingCall.count,
            inclusive: cost,
          });
        }
        pendingCall = undefined;
      } else {
        current.self += cost;
      }
      continue;
    }
    const separator = line.indexOf('=');
    const colon = line.indexOf(':');
    if (separator > 0 && (colon < 0 || separator < colon)) {
      const key = line.slice(0, separator);
      const value = line.slice(separator + 1);
      const kind = NAME_KIND[key];
      if (kind) {
        const name = names.resolve(kind, value, index + 1);
        if (key === 'ob') object = name;
        else if (key === 'cob') callObject = name;
        else if (key === 'fn') {
          currentKey = functionKey(object, name);
          current = functions.get(currentKey);
          if (!current) {
            current = { object, name, self: 0 };
            functions.set(currentKey, current);
          }
          callObject = undefined;
        } else if (key === 'cfn') {
          const calleeObject = callObject ?? object;
          const calleeKey = functionKey(calleeObject, name);
          if (!functions.has(calleeKey)) functions.set(calleeKey, { object: calleeObject, name, self: 0 });
          pendingCall = { callee: calleeKey, count: 0 };
        }
        continue;
      }
      if (key === 'calls') {
        if (!pendingCall) throw new CallgrindFormatError(`line ${index + 1}: calls= without cfn=`);
        pendingCall.count = Number(value.trim().split(/\s+/)[0] ?? 0);
        // cob= applies to one call only.
        callObject = undefined;
        continue;
      }
      // jump=, jcnd= and other per-position records carry no instruction cost.
      continue;
    }
    if (colon > 0) {
      const key = line.slice(0, colon);
      const value = line.slice(colon + 1).trim();
      if (key === 'positions') positions = value.split(/\s+/).length;
      else if (key === 'events') event = value.split(/\s+/)[0] ?? event;
      else if (key === 'totals') totals = Number(value.split(/\s+/)[0]);
      else if (key === 'summary') summary = Number(value.split(/\s+/)[0]);
      else if (key === 'thread') thread = Number(value);
      continue;
    }
    throw new CallgrindFormatError(`line ${index + 1}: cannot read "${line}"`);
  }
  const total = totals ?? summary;
  if (total === undefined) throw new CallgrindFormatError('no totals: or summary: line');
  return { total, event, functions, calls: [...calls.values()], ...(thread === undefined ? {} : { thread }) };
}

/** The task that runs one TurboFan job, on a V8 helper thread: JIT warm-up, not the request's work. */
export const JIT_COMPILE_JOB = /^v8::internal::OptimizingCompileDispatcher::CompileTask::RunInternal\(\)/;
/**
 * A major GC, wherever it runs: starting and stepping incremental marking, the marking barrier while
 * it runs, concurrent marking jobs, the atomic pause, sweeping. A full collection comes every few
 * thousand requests, so a window of a few hundred holds one or none. Scavenges are not in it.
 */
export const MAJOR_GC =
  /^v8::internal::(Heap::MarkCompact|MarkCompactCollector::|Heap::StartIncrementalMarking\(|Heap::FinalizeIncrementalMarking|IncrementalMarking::|IncrementalMarkingJob::|ConcurrentMarking::JobTaskMajor::Run|Sweeper::|WriteBarrier::Marking|MarkingBarrier::)/;

/** Work in a profile that the counted figure leaves out and reports apart. */
export interface WorkApart {
  jitCompile: number;
  majorGc: number;
}
