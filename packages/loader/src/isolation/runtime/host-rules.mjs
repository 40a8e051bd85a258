// The one home of the `network_hosts` rule: what a declared entry means and whether a host and
// port match it. The in-realm policy of isolated plugins and the host-side allow-list proxy of
// the process tier both use it, so the two layers can never disagree about a declaration.
import {
  arrayAppend,
  regexpExec,
  SafeNumber,
  SafeString,
  stringEndsWith,
  stringIndexOf,
  stringSlice,
  stringStartsWith,
  stringToLowerCase,
} from './primordials.mjs';

const hostPattern = /^(\*\.)?([A-Za-z0-9.-]+|\[[0-9a-fA-F:.]+\])(?::(\d{1,5}))?$/;

/** Lowercases a host, strips IPv6 brackets and a trailing dot. */
export function normalizeHost(host) {
  let text = stringToLowerCase(SafeString(host));
  if (stringStartsWith(text, '[') && stringEndsWith(text, ']')) text = stringSlice(text, 1, -1);
  if (stringEndsWith(text, '.')) text = stringSlice(text, 0, -1);
  return text;
}

/**
 * Parses one `network_hosts` entry: `api.example.com`, `*.example.com` (sub-domains only),
 * `host:port`, `[::1]:8080`. Returns undefined for an entry that is none of these.
 */
export function parseHostRule(declared) {
  const match = regexpExec(hostPattern, SafeString(declared));
  if (match === null) return undefined;
  return { wildcard: match[1] !== undefined, host: normalizeHost(match[2]), port: match[3] };
}

/** Parses every valid entry of `network_hosts`; invalid ones grant nothing. */
export function parseHostRules(declaredHosts) {
  const rules = [];
  const length = declaredHosts === undefined || declaredHosts === null ? 0 : declaredHosts.length;
  for (let index = 0; index < length; index += 1) {
    const rule = parseHostRule(declaredHosts[index]);
    if (rule !== undefined) rules[rules.length] = rule;
  }
  return rules;
}

// A domain name's last label (its top-level domain) starts with a letter; every spelling of an IP
// address (`10.0.0.1`, `127.1`, `0x7f.1`, `::ffff:a.b.c.1`) ends in a digit or a hex number.
const domainNamePattern = /\.[a-z][a-z0-9-]*$/;

/**
 * Whether `host` (normalised) and `port` (a string, or undefined when not known yet) match one of
 * the rules. A rule without a port allows every port; a wildcard rule matches sub-domains of a
 * domain name only, never an IP address (`*.1` would otherwise match every address ending in .1).
 */
export function matchesHostRules(rules, host, port) {
  for (let index = 0; index < rules.length; index += 1) {
    const rule = rules[index];
    const hostMatches = rule.wildcard
      ? stringEndsWith(host, `.${rule.host}`) && regexpExec(domainNamePattern, host) !== null
      : host === rule.host;
    if (hostMatches && (rule.port === undefined || rule.port === port)) return true;
  }
  return false;
}

const ipv4Pattern = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const hexGroupPattern = /^[0-9a-f]{1,4}$/;

/** The four octets of a dotted IPv4 address, or undefined. */
function parseIpv4(text) {
  const match = regexpExec(ipv4Pattern, text);
  if (match === null) return undefined;
  const octets = [SafeNumber(match[1]), SafeNumber(match[2]), SafeNumber(match[3]), SafeNumber(match[4])];
  for (let index = 0; index < 4; index += 1) if (octets[index] > 255) return undefined;
  return octets;
}

/** The 16-bit groups of `text` (`a:b:c`, maybe ending in an IPv4 address), or undefined. */
function parseGroups(text, mayEndInIpv4) {
  const groups = [];
  if (text === '') return groups;
  let start = 0;
  for (;;) {
    const colon = stringIndexOf(text, ':', start);
    const piece = colon === -1 ? stringSlice(text, start) : stringSlice(text, start, colon);
    const octets = colon === -1 && mayEndInIpv4 ? parseIpv4(piece) : undefined;
    if (octets !== undefined) {
      arrayAppend(groups, octets[0] * 256 + octets[1]);
      arrayAppend(groups, octets[2] * 256 + octets[3]);
      return groups;
    }
    if (regexpExec(hexGroupPattern, piece) === null) return undefined;
    arrayAppend(groups, SafeNumber(`0x${piece}`));
    if (colon === -1) return groups;
    start = colon + 1;
  }
}

/**
 * The eight 16-bit groups of an IPv6 address (a zone, brackets and an embedded IPv4 allowed), or
 * undefined. Parsed with indexOf and slice only: `split` would consult the plugin's
 * `String.prototype[Symbol.split]`, and appends never meet setters on `Array.prototype`.
 */
function parseIpv6(text) {
  let rest = normalizeHost(text);
  const zone = stringIndexOf(rest, '%');
  if (zone !== -1) rest = stringSlice(rest, 0, zone);
  const gapAt = stringIndexOf(rest, '::');
  if (gapAt !== -1 && stringIndexOf(rest, '::', gapAt + 1) !== -1) return undefined;
  const before = parseGroups(gapAt === -1 ? rest : stringSlice(rest, 0, gapAt), gapAt === -1);
  const after = parseGroups(gapAt === -1 ? '' : stringSlice(rest, gapAt + 2), true);
  if (before === undefined || after === undefined) return undefined;
  const missing = 8 - before.length - after.length;
  if (gapAt === -1 ? missing !== 0 : missing < 1) return undefined;
  const groups = before;
  if (gapAt !== -1) for (let index = 0; index < missing; index += 1) arrayAppend(groups, 0);
  for (let index = 0; index < after.length; index += 1) arrayAppend(groups, after[index]);
  return groups;
}

function isInternalIpv4(octets) {
  const first = octets[0];
  const second = octets[1];
  return (
    first === 0 || // "this network", 0.0.0.0 reaches the local host
    first === 10 ||
    first === 127 ||
    (first === 100 && second >= 64 && second <= 127) || // carrier-grade NAT
    (first === 169 && second === 254) || // link-local, where cloud metadata services answer
    (first === 172 && second >= 16 && second <= 31) ||
    (first === 192 && second === 168) ||
    (first === 192 && second === 0 && octets[2] === 0) || // IETF protocol assignments
    (first === 198 && (second === 18 || second === 19)) || // benchmarking
    first >= 224 // multicast, reserved, broadcast
  );
}

/**
 * Whether an IP address is internal: loopback, private, link-local (cloud metadata), carrier-grade
 * NAT, unspecified, multicast or reserved, in IPv4 or IPv6 (also IPv4 inside IPv6: mapped,
 * compatible, NAT64, 6to4). Anything that is not an IP address counts as internal.
 */
export function isInternalAddress(address) {
  const text = normalizeHost(address);
  const octets = parseIpv4(text);
  if (octets !== undefined) return isInternalIpv4(octets);
  const groups = parseIpv6(text);
  if (groups === undefined) return true;
  const embedded = (high, low) => isInternalIpv4([high >> 8, high & 255, low >> 8, low & 255]);
  let leadingZeros = 0;
  while (leadingZeros < 8 && groups[leadingZeros] === 0) leadingZeros += 1;
  if (leadingZeros >= 6) return true; // ::, ::1 and the deprecated IPv4-compatible ::a.b.c.d
  if (leadingZeros === 5 && groups[5] === 0xffff) return embedded(groups[6], groups[7]); // ::ffff:a.b.c.d
  if (groups[0] === 0x64 && groups[1] === 0xff9b && groups[2] === 0 && groups[3] === 0) {
    return embedded(groups[6], groups[7]); // NAT64
  }
  if (groups[0] === 0x2002) return embedded(groups[1], groups[2]); // 6to4
  return (
    (groups[0] & 0xfe00) === 0xfc00 || // unique local
    (groups[0] & 0xffc0) === 0xfe80 || // link-local
    (groups[0] & 0xffc0) === 0xfec0 || // site-local (deprecated)
    (groups[0] & 0xff00) === 0xff00 // multicast
  );
}

/** Whether an IP address is a loopback address (127.0.0.0/8, ::1, ::ffff:127.x.y.z). */
export function isLoopbackAddress(address) {
  const text = normalizeHost(address);
  const octets = parseIpv4(text);
  if (octets !== undefined) return octets[0] === 127;
  const groups = parseIpv6(text);
  if (groups === undefined) return false;
  for (let index = 0; index < 5; index += 1) if (groups[index] !== 0) return false;
  if (groups[5] === 0xffff) return groups[6] >> 8 === 127;
  return groups[5] === 0 && groups[6] === 0 && groups[7] === 1;
}

/**
 * Whether a declared host name may lead to `address` when resolved: a name stands for a public
 * service, so an internal address (DNS rebinding, a name pointed at a cloud metadata service or
 * the host's own ports) is refused; `localhost` and `*.localhost` may lead to loopback only. An
 * internal destination is reached by declaring its address itself.
 */
export function mayNameReachAddress(host, address) {
  if (!isInternalAddress(address)) return true;
  const name = normalizeHost(host);
  return (name === 'localhost' || stringEndsWith(name, '.localhost')) && isLoopbackAddress(address);
}
