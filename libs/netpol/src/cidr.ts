/** An IPv4 CIDR as the inclusive range of 32-bit addresses it covers. */
export interface Ipv4Cidr {
  /** Canonical text with host bits cleared: `10.0.0.1/16` → `10.0.0.0/16`. */
  text: string;
  prefixLength: number;
  first: number;
  last: number;
}

/**
 * Parses `a.b.c.d/n`. Host bits are cleared, as Kubernetes does for ipBlock CIDRs.
 * Throws an Error naming the input and the problem; IPv6 is rejected as unsupported.
 */
export function parseCidr(cidr: string): Ipv4Cidr {
  const fail = (why: string): never => {
    throw new Error(`invalid IPv4 CIDR "${cidr}": ${why}`);
  };
  if (cidr.includes(':')) fail('IPv6 is not supported');
  const parts = cidr.split('/');
  if (parts.length !== 2) fail('expected address/prefix such as 10.0.0.0/16 (use /32 for a single address)');
  const [address = '', prefixText = ''] = parts;
  if (!/^(?:0|[1-9]\d?)$/.test(prefixText))
    fail(`prefix length "${prefixText}" is not a number from 0 to 32`);
  const prefixLength = Number(prefixText);
  if (prefixLength > 32) fail(`prefix length ${prefixLength} is greater than 32`);
  const value = parseAddress(address, fail);
  const size = 2 ** (32 - prefixLength);
  // Arithmetic rather than bitwise operators: JavaScript bitwise results are signed 32-bit.
  const first = value - (value % size);
  return { text: `${formatAddress(first)}/${prefixLength}`, prefixLength, first, last: first + size - 1 };
}

/** True when every address of `inner` is also in `outer`. */
export function cidrContains(outer: string, inner: string): boolean {
  const a = parseCidr(outer);
  const b = parseCidr(inner);
  return a.first <= b.first && b.last <= a.last;
}

/** True when `a` and `b` share at least one address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  return x.first <= y.last && y.first <= x.last;
}

/** A dotted IPv4 address as a number, or undefined when it is not one (an IPv6 address, say). */
export function parseIpv4(address: string): number | undefined {
  try {
    return parseAddress(address, (why) => {
      throw new Error(why);
    });
  } catch {
    return undefined;
  }
}

/** `10.0.0.0-10.255.255.255`: the notation of address ranges in every report. */
export function formatRange(first: number, last: number): string {
  return `${formatAddress(first)}-${formatAddress(last)}`;
}

/**
 * The addresses of an ipBlock, `cidr` less every `except`, as sorted disjoint `[first, last]`
 * ranges. Throws on an invalid CIDR.
 */
export function ipBlockRanges(cidr: string, except: readonly string[] = []): [number, number][] {
  const block = parseCidr(cidr);
  const holes = except
    .map((text) => parseCidr(text))
    .map(({ first, last }): [number, number] => [Math.max(first, block.first), Math.min(last, block.last)])
    .filter(([first, last]) => first <= last)
    .sort((a, b) => a[0] - b[0]);
  const ranges: [number, number][] = [];
  let next = block.first;
  for (const [first, last] of holes) {
    if (first > next) ranges.push([next, first - 1]);
    next = Math.max(next, last + 1);
  }
  if (next <= block.last) ranges.push([next, block.last]);
  return ranges;
}

function parseAddress(address: string, fail: (why: string) => never): number {
  const octets = address.split('.');
  if (octets.length !== 4) fail(`address "${address}" does not have four dot-separated octets`);
  return octets.reduce((value, octet) => {
    // Leading zeros are refused: some parsers read them as octal, so their meaning is ambiguous.
    if (!/^(?:0|[1-9]\d{0,2})$/.test(octet))
      fail(`octet "${octet}" is not a decimal number without leading zeros`);
    const n = Number(octet);
    if (n > 255) fail(`octet ${n} is greater than 255`);
    return value * 256 + n;
  }, 0);
}

export function formatAddress(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}
