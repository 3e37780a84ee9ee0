import { ConnectionSet, ipBlockRanges, formatRange } from '../src';

const tcp = (from: number, to = from) => ConnectionSet.ports('TCP', from, to);
const udp = (from: number, to = from) => ConnectionSet.ports('UDP', from, to);

describe('ConnectionSet', () => {
  it('prints the analyzer notation: protocols in order, merged intervals', () => {
    expect(ConnectionSet.ALL.toString()).toBe('All Connections');
    expect(tcp(80).toString()).toBe('TCP 80');
    expect(tcp(10053, 10054).union(udp(10053)).toString()).toBe('TCP 10053-10054,UDP 10053');
    expect(ConnectionSet.ALL.subtract(tcp(80)).toString()).toBe('SCTP 1-65535,TCP 1-79,81-65535,UDP 1-65535');
  });

  it('merges adjacent and overlapping intervals into one representation', () => {
    const merged = tcp(1, 10).union(tcp(11, 20)).union(tcp(5, 25));
    expect(merged.toString()).toBe('TCP 1-25');
    expect(merged.equals(tcp(1, 25))).toBe(true);
    expect(tcp(1, 65535).union(udp(1, 65535)).union(ConnectionSet.ports('SCTP')).isAll()).toBe(true);
  });

  it('intersects and subtracts exactly', () => {
    const a = tcp(1, 100).union(tcp(200, 300));
    const b = tcp(50, 250);
    expect(a.intersect(b).toString()).toBe('TCP 50-100,200-250');
    expect(a.subtract(b).toString()).toBe('TCP 1-49,251-300');
    expect(b.subtract(a).toString()).toBe('TCP 101-199');
    expect(a.subtract(a).isEmpty()).toBe(true);
    expect(tcp(80).intersect(udp(80)).isEmpty()).toBe(true);
    expect(ConnectionSet.ALL.subtract(ConnectionSet.ALL).isEmpty()).toBe(true);
  });

  it('answers membership at interval edges', () => {
    const set = tcp(80).union(tcp(8000, 8100));
    expect([79, 80, 81, 7999, 8000, 8100, 8101].map((port) => set.has('TCP', port))).toEqual([
      false,
      true,
      false,
      false,
      true,
      true,
      false,
    ]);
    expect(set.has('UDP', 80)).toBe(false);
  });

  it('agrees with a port-by-port model on random sets', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const randomSet = () => {
      let set = ConnectionSet.NONE;
      for (let i = 0; i < 4; i++) {
        const from = 1 + Math.floor(random() * 200);
        set = set.union(
          ConnectionSet.ports(random() < 0.5 ? 'TCP' : 'UDP', from, from + Math.floor(random() * 30)),
        );
      }
      return set;
    };
    const wrong: string[] = [];
    for (let round = 0; round < 200; round++) {
      const a = randomSet();
      const b = randomSet();
      const union = a.union(b);
      const intersection = a.intersect(b);
      const difference = a.subtract(b);
      for (const protocol of ['TCP', 'UDP'] as const) {
        for (let port = 1; port <= 240; port++) {
          const inA = a.has(protocol, port);
          const inB = b.has(protocol, port);
          if (
            union.has(protocol, port) !== (inA || inB) ||
            intersection.has(protocol, port) !== (inA && inB) ||
            difference.has(protocol, port) !== (inA && !inB)
          ) {
            wrong.push(`${a.toString()} / ${b.toString()} at ${port}/${protocol}`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('ipBlockRanges', () => {
  it('takes every except out of the block', () => {
    const ranges = ipBlockRanges('0.0.0.0/0', ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']);
    expect(ranges.map(([first, last]) => formatRange(first, last))).toEqual([
      '0.0.0.0-9.255.255.255',
      '11.0.0.0-172.15.255.255',
      '172.32.0.0-192.167.255.255',
      '192.169.0.0-255.255.255.255',
    ]);
  });

  it('handles overlapping excepts and an except covering the block', () => {
    expect(ipBlockRanges('10.0.0.0/16', ['10.0.0.0/24', '10.0.0.0/25'])).toEqual(
      ipBlockRanges('10.0.0.0/16', ['10.0.0.0/24']),
    );
    expect(ipBlockRanges('10.0.0.0/24', ['10.0.0.0/24'])).toEqual([]);
  });
});
