/**
 * Who may talk to the relay at all: a list of CIDR ranges, checked on the SMTP port (in
 * onConnect) and on the status port (on accept). Nothing outside the list gets a session.
 */
import { BlockList, isIP } from 'node:net';
import { SmimeError } from '../core/errors';

export interface AllowList {
  /** true when `address` (as a socket reports it, IPv4-mapped IPv6 included) is in one of the ranges */
  allows(address: string | undefined): boolean;
  readonly ranges: readonly string[];
}

/** "::ffff:127.0.0.2" is the IPv4 client 127.0.0.2 seen through a dual-stack socket. */
function plain(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : address;
}

/**
 * Builds the list from CIDR strings ("127.0.0.0/8", "::1/128", or a bare address for one
 * host). An entry that is not an address or a range is a usage error naming the entry.
 */
export function parseAllowList(entries: readonly string[]): AllowList {
  const list = new BlockList();
  const ranges: string[] = [];
  for (const raw of entries) {
    const entry = raw.trim();
    if (!entry) continue;
    const [addr = '', bits, extra] = entry.split('/');
    const family = isIP(addr);
    const max = family === 6 ? 128 : 32;
    const prefix = bits === undefined ? max : Number(bits);
    if (family === 0 || extra !== undefined || !/^\d*$/.test(bits ?? '') || !(prefix >= 0 && prefix <= max))
      throw new SmimeError('USAGE', `--allow-from: "${entry}" is not an address or a CIDR range like 127.0.0.0/8`);
    list.addSubnet(addr, prefix, family === 6 ? 'ipv6' : 'ipv4');
    ranges.push(`${addr}/${prefix}`);
  }
  if (ranges.length === 0) throw new SmimeError('USAGE', '--allow-from lists no address');
  return {
    ranges,
    allows(address) {
      if (!address) return false;
      const a = plain(address);
      const family = isIP(a);
      if (family === 0) return false;
      return list.check(a, family === 6 ? 'ipv6' : 'ipv4');
    },
  };
}
