import { isIPv6 } from 'node:net';

/**
 * The key one client's requests and connections are counted under: its IPv4 address (an
 * IPv4-mapped IPv6 address as IPv4), or the /64 prefix of an IPv6 address (what one subscriber is
 * given: counting each address of it apart would let one client rotate through 2^64 buckets).
 * Proxy headers (`X-Forwarded-For`, `Forwarded`) are never read: no proxy is trusted.
 * @example
 * clientKeyOf('2001:db8:1:2:aaaa::1'); // '2001:db8:1:2::/64'
 */
export function clientKeyOf(address: string | undefined): string {
  if (address === undefined || address === '') return 'unknown';
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped !== null) return mapped[1] as string;
  if (!isIPv6(address)) return address;
  return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
}

/** The eight groups of an IPv6 address, without leading zeros, lower case (zone ids dropped). */
function expandIPv6(address: string): string[] {
  const [withoutZone = ''] = address.toLowerCase().split('%');
  const [head = '', tail] = withoutZone.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  // An embedded IPv4 tail (`::1.2.3.4`) is two groups; only the first four groups matter here.
  const missing = 8 - left.length - right.length;
  const groups = [...left, ...Array.from({ length: Math.max(0, missing) }, () => '0'), ...right];
  return groups.map((group) => (/^[0-9a-f]+$/.test(group) ? group.replace(/^0+(?=.)/, '') : group));
}
