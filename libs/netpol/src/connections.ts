import type { Protocol } from './types';

export const PROTOCOLS: readonly Protocol[] = ['SCTP', 'TCP', 'UDP'];
export const MIN_PORT = 1;
export const MAX_PORT = 65535;

/** Sorted, disjoint, non-adjacent inclusive intervals, flattened: `[lo1, hi1, lo2, hi2, ...]`. */
type Intervals = readonly number[];

const NO_PORTS: Intervals = [];
const ALL_PORTS: Intervals = [MIN_PORT, MAX_PORT];

function unionIntervals(a: Intervals, b: Intervals): Intervals {
  if (a.length === 0 || b === a) return b;
  if (b.length === 0) return a;
  const result: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let lo: number;
    let hi: number;
    if (j >= b.length || (i < a.length && (a[i] as number) <= (b[j] as number))) {
      lo = a[i] as number;
      hi = a[i + 1] as number;
      i += 2;
    } else {
      lo = b[j] as number;
      hi = b[j + 1] as number;
      j += 2;
    }
    const last = result.length - 1;
    // Adjacent intervals merge too, so that equal sets have one representation.
    if (last > 0 && lo <= (result[last] as number) + 1) {
      if (hi > (result[last] as number)) result[last] = hi;
    } else {
      result.push(lo, hi);
    }
  }
  return result;
}

function intersectIntervals(a: Intervals, b: Intervals): Intervals {
  if (a.length === 0 || b.length === 0) return NO_PORTS;
  if (a === b) return a;
  const result: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i] as number, b[j] as number);
    const hi = Math.min(a[i + 1] as number, b[j + 1] as number);
    if (lo <= hi) result.push(lo, hi);
    if ((a[i + 1] as number) < (b[j + 1] as number)) i += 2;
    else j += 2;
  }
  return result;
}

function subtractIntervals(a: Intervals, b: Intervals): Intervals {
  if (a.length === 0 || b.length === 0) return a;
  if (a === b) return NO_PORTS;
  const result: number[] = [];
  let j = 0;
  for (let i = 0; i < a.length; i += 2) {
    let lo = a[i] as number;
    const hi = a[i + 1] as number;
    while (j < b.length && (b[j + 1] as number) < lo) j += 2;
    let k = j;
    while (k < b.length && (b[k] as number) <= hi && lo <= hi) {
      if ((b[k] as number) > lo) result.push(lo, (b[k] as number) - 1);
      lo = Math.max(lo, (b[k + 1] as number) + 1);
      k += 2;
    }
    if (lo <= hi) result.push(lo, hi);
  }
  return result;
}

function sameIntervals(a: Intervals, b: Intervals): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function formatIntervals(intervals: Intervals): string {
  const parts: string[] = [];
  for (let i = 0; i < intervals.length; i += 2) {
    const lo = intervals[i] as number;
    const hi = intervals[i + 1] as number;
    parts.push(lo === hi ? `${lo}` : `${lo}-${hi}`);
  }
  return parts.join(',');
}

/**
 * A set of connections: for each protocol, the destination ports it covers, as exact intervals over
 * 1-65535. Immutable; every operation returns a set (often one of its arguments, never a copy).
 */
export class ConnectionSet {
  static readonly NONE = new ConnectionSet(NO_PORTS, NO_PORTS, NO_PORTS);
  static readonly ALL = new ConnectionSet(ALL_PORTS, ALL_PORTS, ALL_PORTS);

  private constructor(
    private readonly sctp: Intervals,
    private readonly tcp: Intervals,
    private readonly udp: Intervals,
  ) {}

  private static make(sctp: Intervals, tcp: Intervals, udp: Intervals): ConnectionSet {
    if (sctp.length === 0 && tcp.length === 0 && udp.length === 0) return ConnectionSet.NONE;
    const all = (ports: Intervals) => ports.length === 2 && ports[0] === MIN_PORT && ports[1] === MAX_PORT;
    if (all(sctp) && all(tcp) && all(udp)) return ConnectionSet.ALL;
    return new ConnectionSet(sctp, tcp, udp);
  }

  /** Ports `from` to `to` (inclusive) of one protocol; every port of it when `from` is absent. */
  static ports(protocol: Protocol, from?: number, to: number | undefined = from): ConnectionSet {
    const ports = from === undefined ? ALL_PORTS : [from, to ?? from];
    return ConnectionSet.make(
      protocol === 'SCTP' ? ports : NO_PORTS,
      protocol === 'TCP' ? ports : NO_PORTS,
      protocol === 'UDP' ? ports : NO_PORTS,
    );
  }

  private of(protocol: Protocol): Intervals {
    return protocol === 'TCP' ? this.tcp : protocol === 'UDP' ? this.udp : this.sctp;
  }

  isEmpty(): boolean {
    return this === ConnectionSet.NONE;
  }

  isAll(): boolean {
    return this === ConnectionSet.ALL;
  }

  has(protocol: Protocol, port: number): boolean {
    const ports = this.of(protocol);
    for (let i = 0; i < ports.length; i += 2) {
      if (port < (ports[i] as number)) return false;
      if (port <= (ports[i + 1] as number)) return true;
    }
    return false;
  }

  union(other: ConnectionSet): ConnectionSet {
    if (other === this || other.isEmpty() || this.isAll()) return this;
    if (this.isEmpty() || other.isAll()) return other;
    return ConnectionSet.make(
      unionIntervals(this.sctp, other.sctp),
      unionIntervals(this.tcp, other.tcp),
      unionIntervals(this.udp, other.udp),
    );
  }

  intersect(other: ConnectionSet): ConnectionSet {
    if (other === this || other.isAll() || this.isEmpty()) return this;
    if (this.isAll() || other.isEmpty()) return other;
    return ConnectionSet.make(
      intersectIntervals(this.sctp, other.sctp),
      intersectIntervals(this.tcp, other.tcp),
      intersectIntervals(this.udp, other.udp),
    );
  }

  subtract(other: ConnectionSet): ConnectionSet {
    if (other.isEmpty() || this.isEmpty()) return this;
    if (other === this || other.isAll()) return ConnectionSet.NONE;
    return ConnectionSet.make(
      subtractIntervals(this.sctp, other.sctp),
      subtractIntervals(this.tcp, other.tcp),
      subtractIntervals(this.udp, other.udp),
    );
  }

  equals(other: ConnectionSet): boolean {
    return (
      other === this ||
      (sameIntervals(this.sctp, other.sctp) &&
        sameIntervals(this.tcp, other.tcp) &&
        sameIntervals(this.udp, other.udp))
    );
  }

  /** The port intervals of one protocol, as `[from, to]` pairs. */
  intervals(protocol: Protocol): [number, number][] {
    const ports = this.of(protocol);
    const pairs: [number, number][] = [];
    for (let i = 0; i < ports.length; i += 2) pairs.push([ports[i] as number, ports[i + 1] as number]);
    return pairs;
  }

  /** The protocols with at least one port. */
  protocols(): Protocol[] {
    return PROTOCOLS.filter((protocol) => this.of(protocol).length > 0);
  }

  /** `All Connections`, `No Connections`, or `SCTP 1-65535,TCP 1-79,81-65535,UDP 53`. */
  toString(): string {
    if (this.isAll()) return 'All Connections';
    if (this.isEmpty()) return 'No Connections';
    return this.protocols()
      .map((protocol) => `${protocol} ${formatIntervals(this.of(protocol))}`)
      .join(',');
  }
}
