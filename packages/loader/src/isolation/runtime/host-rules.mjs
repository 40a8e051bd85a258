// The one home of the `network_hosts` rule: what a declared entry means and whether a host and
// port match it. The in-realm policy of isolated plugins and the host-side allow-list proxy of
// the process tier both use it, so the two layers can never disagree about a declaration.
import {
  regexpExec,
  SafeString,
  stringEndsWith,
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

/**
 * Whether `host` (normalised) and `port` (a string, or undefined when not known yet) match one of
 * the rules. A rule without a port allows every port; a wildcard rule matches sub-domains only.
 */
export function matchesHostRules(rules, host, port) {
  for (let index = 0; index < rules.length; index += 1) {
    const rule = rules[index];
    const hostMatches = rule.wildcard ? stringEndsWith(host, `.${rule.host}`) : host === rule.host;
    if (hostMatches && (rule.port === undefined || rule.port === port)) return true;
  }
  return false;
}
