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
