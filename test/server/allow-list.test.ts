/** --allow-from as written by an operator: ranges, single hosts, IPv6, and clients seen through dual-stack sockets. */
import { describe, expect, it } from 'vitest';
import { parseAllowList } from '../../main/server/allow-list';
import { DEFAULT_ALLOW_FROM } from '../../main/server/options';

describe('parseAllowList', () => {
  it('parses ranges and single hosts, IPv4-mapped clients included, and names a bad entry', () => {
    const a = parseAllowList(['127.0.0.1/32', '10.0.0.0/8', '::1', '2001:db8::/32']);
    expect(a.allows('127.0.0.1')).toBe(true);
    expect(a.allows('::ffff:127.0.0.1')).toBe(true);
    expect(a.allows('127.0.0.2')).toBe(false);
    expect(a.allows('10.200.3.4')).toBe(true);
    expect(a.allows('::1')).toBe(true);
    expect(a.allows('2001:db8:1::5')).toBe(true);
    expect(a.allows('2001:db9::1')).toBe(false);
    expect(a.allows(undefined)).toBe(false);
    expect(() => parseAllowList(['127.0.0.0/33'])).toThrow(
      '--allow-from: "127.0.0.0/33" is not an address or a CIDR range',
    );
    expect(() => parseAllowList(['example.com'])).toThrow(/"example\.com" is not an address/);
    expect(() => parseAllowList([' '])).toThrow('--allow-from lists no address');
  });

  it('allows loopback only by default', () => {
    const d = parseAllowList(DEFAULT_ALLOW_FROM);
    expect(d.ranges).toEqual(['127.0.0.0/8', '::1/128']);
    for (const ok of ['127.0.0.1', '127.0.0.2', '::1', '::ffff:127.1.2.3']) expect(d.allows(ok), ok).toBe(true);
    for (const no of ['10.0.0.1', '192.168.1.2', '::2', 'fe80::1']) expect(d.allows(no), no).toBe(false);
  });
});
