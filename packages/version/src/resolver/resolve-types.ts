/** Options of {@link resolveDependencies}. */
export interface ResolveDependenciesOptions {
  /** The runtime's version; plugin versions whose min/max_runtime_version exclude it are never chosen. */
  runtimeVersion?: string | undefined;
}

/** A successful resolution. */
export interface ResolveSuccess {
  readonly ok: true;
  /** The chosen version of every plugin needed (and of the root, when it has a plugin_id and version). */
  readonly solution: Record<string, string>;
  /** The plugin ids of `solution` in load order: dependencies before dependents; the root, if present, last. */
  readonly order: string[];
  /** Optional dependencies left out, and why. */
  readonly warnings: string[];
}

/** A failed resolution: no solution exists, or the one found has a dependency cycle. */
export interface ResolveFailure {
  readonly ok: false;
  /** DEPENDENCY_UNRESOLVED: no selection satisfies every constraint; DEPENDENCY_CYCLE: the selection loops. */
  readonly code: 'DEPENDENCY_UNRESOLVED' | 'DEPENDENCY_CYCLE';
  /** Why, in words: pub-style derivation for DEPENDENCY_UNRESOLVED, the cycle for DEPENDENCY_CYCLE. */
  readonly explanation: string;
  /** The plugin ids the explanation names, sorted. */
  readonly plugins: string[];
  /** For DEPENDENCY_CYCLE: the cycle, first id repeated last (`['a', 'b', 'a']`). */
  readonly cycle?: string[] | undefined;
  /** For DEPENDENCY_CYCLE: the selection that contains the cycle. */
  readonly solution?: Record<string, string> | undefined;
  readonly warnings: string[];
}

/** What {@link resolveDependencies} returns. */
export type ResolveResult = ResolveSuccess | ResolveFailure;
