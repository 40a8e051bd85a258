/** One parsed `network_hosts` entry. */
export interface HostRule {
  wildcard: boolean;
  host: string;
  port: string | undefined;
}

/** Lowercases a host, strips IPv6 brackets and a trailing dot. */
export declare function normalizeHost(host: string): string;
/** Parses one `network_hosts` entry; undefined when it is not a valid entry. */
export declare function parseHostRule(declared: string): HostRule | undefined;
/** Parses every valid entry of `network_hosts`. */
export declare function parseHostRules(declaredHosts: readonly string[] | undefined): HostRule[];
/** Whether a normalised host and a port (string, or undefined) match one of the rules. */
export declare function matchesHostRules(
  rules: readonly HostRule[],
  host: string,
  port: string | undefined,
): boolean;
/** Whether an IP address is internal (loopback, private, link-local, CGNAT, unspecified, multicast, reserved; IPv4 in IPv6 too). */
export declare function isInternalAddress(address: string): boolean;
/** Whether an IP address is a loopback address. */
export declare function isLoopbackAddress(address: string): boolean;
/** Whether a declared host name may lead to `address`: public addresses, and loopback for `localhost` names. */
export declare function mayNameReachAddress(host: string, address: string): boolean;
