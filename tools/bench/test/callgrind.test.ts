import { callgrindTotal, CallgrindFormatError, functionKey, parseCallgrind } from '../src/callgrind';
import { dumpFilesOf } from '../src/valgrind';

/** A dump as callgrind 3.19 writes it with --separate-threads=yes, names compressed. */
const DUMP = `# callgrind format
version: 1
creator: callgrind-3.19.0
pid: 4242
cmd:  node dist/main.js
part: 1
thread: 1

desc: I1 cache:
desc: Trigger: dump me service

positions: line
events: Ir
summary: 950

ob=(1) /usr/bin/node
fl=(1) ???
fn=(1) uv_run
0 100
cob=(2) ???
cfi=(1)
cfn=(2) 0x000000000d063f40
calls=2 0
0 700
cfn=(3) Builtins_JsonStringify
calls=1 0
0 150

ob=(2)
fl=(1)
fn=(2)
0 400
+2 50
cob=(1) /usr/bin/node
cfi=(1)
cfn=(3)
calls=4 0
0 250

ob=(1)
fl=(1)
fn=(3)
0 400

totals: 950
`;

describe('parseCallgrind', () => {
  const profile = parseCallgrind(DUMP);

  it('reads the total, the event and the thread', () => {
    expect(profile.total).toBe(950);
    expect(profile.event).toBe('Ir');
    expect(profile.thread).toBe(1);
  });

  it("sums each function's own cost lines, not the cost of its calls", () => {
    expect(profile.functions.get(functionKey('/usr/bin/node', 'uv_run'))?.self).toBe(100);
    expect(profile.functions.get(functionKey('???', '0x000000000d063f40'))?.self).toBe(450);
    expect(profile.functions.get(functionKey('/usr/bin/node', 'Builtins_JsonStringify'))?.self).toBe(400);
    const selfTotal = [...profile.functions.values()].reduce((sum, fn) => sum + fn.self, 0);
    expect(selfTotal).toBe(profile.total);
  });

  it('keeps each caller-callee pair with its calls and inclusive cost, the callee in its own object', () => {
    expect(profile.calls).toEqual([
      {
        caller: functionKey('/usr/bin/node', 'uv_run'),
        callee: functionKey('???', '0x000000000d063f40'),
        count: 2,
        inclusive: 700,
      },
      {
        caller: functionKey('/usr/bin/node', 'uv_run'),
        callee: functionKey('/usr/bin/node', 'Builtins_JsonStringify'),
        count: 1,
        inclusive: 150,
      },
      {
        caller: functionKey('???', '0x000000000d063f40'),
        callee: functionKey('/usr/bin/node', 'Builtins_JsonStringify'),
        count: 4,
        inclusive: 250,
      },
    ]);
  });

  it('reads an address position (--dump-instr=yes) as a position, not a cost', () => {
    const text = 'positions: instr line\nevents: Ir\nfn=(1) f\n0x4005d0 3 7\n+3 * 2\ntotals: 9\n';
    expect(parseCallgrind(text).functions.get(functionKey('', 'f'))?.self).toBe(9);
  });

  it('refuses a name reference that was never defined, and a file without totals', () => {
    expect(() => parseCallgrind('events: Ir\nfn=(7)\n0 1\ntotals: 1\n')).toThrow(CallgrindFormatError);
    expect(() => parseCallgrind('events: Ir\nfn=(1) f\n0 1\n')).toThrow(/no totals/);
  });
});

describe('callgrindTotal', () => {
  it('prefers totals: (end of the dump) over summary: (its header)', () => {
    expect(callgrindTotal('summary: 10\nfn=(1) f\n0 11\ntotals: 11\n')).toBe(11);
    expect(callgrindTotal('summary: 10\n')).toBe(10);
    expect(() => callgrindTotal('events: Ir\n')).toThrow(CallgrindFormatError);
  });
});

describe('dumpFilesOf', () => {
  it("finds one dump's file per thread, in thread order, and nothing of other dumps or processes", () => {
    const names = [
      'auth.4242',
      'auth.4242-01',
      'auth.4242.2-03',
      'auth.4242.2-01',
      'auth.4242.12-01',
      'auth.4243.2-01',
      'items.4242.2-01',
      'auth.4242.2-01.named',
    ];
    expect(dumpFilesOf(names, 'auth', 4242, 2)).toEqual([
      { name: 'auth.4242.2-01', thread: 1 },
      { name: 'auth.4242.2-03', thread: 3 },
    ]);
  });
});
