import { isJsonObject, PluginError } from '@agentplug/models';
import type { SemVer } from 'semver';
import { parseConstraint, type VersionConstraint } from '../constraint/parse-constraint';
import { checkRuntimeCompatibility } from '../runtime/check-runtime-compatibility';
import { toSemver } from '../version/parse-version';
import type { PluginVersionRecord, PluginVersionTuple } from './plugin-version-record';
import { VersionSet } from './version-set';

/** A dependency of one plugin version, parsed. */
export interface LoadedDependency {
  readonly pluginId: string;
  readonly constraint: VersionConstraint;
  readonly optional: boolean;
}

/** One version of a plugin, parsed and checked. */
export interface LoadedVersion {
  readonly version: string;
  readonly semver: SemVer;
  readonly dependencies: readonly LoadedDependency[];
  readonly minRuntime?: string | undefined;
  readonly maxRuntime?: string | undefined;
  readonly runtimeCompatible: boolean;
}

/** Every known version of one plugin, oldest first; the universe its version sets index into. */
export interface PackageUniverse {
  readonly id: string;
  readonly versions: readonly LoadedVersion[];
  /** The source knows no version of this plugin at all. */
  readonly missing: boolean;
  readonly full: VersionSet;
  readonly runtimeCompatible: VersionSet;
  readonly constraintSets: Map<string, VersionSet>;
}

function argumentError(message: string, details: Record<string, unknown>): PluginError {
  return new PluginError('INVALID_ARGUMENT', message, { details });
}

/** Checks a plugin id given to the resolver. @throws PluginError INVALID_ARGUMENT */
export function checkPluginId(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.trim() !== value) {
    throw argumentError(`${where}: plugin_id must be a non-empty string without surrounding spaces.`, {
      plugin_id: value,
    });
  }
  return value;
}

/** Who declares a list of dependencies: `label` for messages, `pluginId` to refuse self-dependencies. */
export interface DependencyOwner {
  readonly label: string;
  readonly pluginId?: string | undefined;
}

/** Parses the dependencies of a record. @throws PluginError INVALID_ARGUMENT, INVALID_CONSTRAINT */
export function loadDependencies(value: unknown, dependencyOwner: DependencyOwner): LoadedDependency[] {
  const owner = dependencyOwner.label;
  const ownerId = dependencyOwner.pluginId;
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    throw argumentError(
      `${owner}: dependencies must be an array of { plugin_id, version_constraint, optional }.`,
      {
        dependencies: value,
      },
    );
  }
  const seen = new Set<string>();
  return value.map((entry: unknown, index) => {
    if (!isJsonObject(entry)) {
      throw argumentError(`${owner}: dependencies[${index}] must be an object.`, { dependency: entry });
    }
    const pluginId = checkPluginId(entry.plugin_id, `${owner}: dependencies[${index}]`);
    if (pluginId === ownerId) {
      throw argumentError(`${owner}: dependencies[${index}] names the plugin itself; remove it.`, {
        plugin_id: pluginId,
      });
    }
    if (seen.has(pluginId)) {
      throw argumentError(
        `${owner}: "${pluginId}" is listed twice in dependencies; merge the constraints into one entry.`,
        { plugin_id: pluginId },
      );
    }
    seen.add(pluginId);
    const rawConstraint = entry.version_constraint ?? '*';
    let constraint: VersionConstraint;
    try {
      constraint = parseConstraint(rawConstraint as string);
    } catch (error) {
      throw new PluginError(
        'INVALID_CONSTRAINT',
        `${owner}: dependency "${pluginId}": ${(error as Error).message}`,
        { details: { plugin_id: pluginId, version_constraint: rawConstraint }, cause: error },
      );
    }
    const optional = entry.optional ?? false;
    if (typeof optional !== 'boolean') {
      throw argumentError(`${owner}: dependencies[${index}].optional must be true or false.`, { optional });
    }
    return { pluginId, constraint, optional };
  });
}

interface RecordVersionFields {
  readonly version: string;
  readonly semver: SemVer;
  readonly rawDependencies: unknown;
  readonly displayName: string;
  readonly ownerId: string | undefined;
  readonly minRuntime?: string | undefined;
  readonly maxRuntime?: string | undefined;
  readonly runtimeCompatible: boolean;
}

/** Where versions are read for: the plugin, its name in messages, the runtime to check bounds against. */
interface UniverseContext {
  readonly pluginId: string;
  readonly displayName: string;
  readonly runtimeVersion: string | undefined;
}

/** A version read from a record; its dependencies are parsed when the resolver first looks at them. */
class RecordVersion implements LoadedVersion {
  readonly version: string;
  readonly semver: SemVer;
  readonly minRuntime: string | undefined;
  readonly maxRuntime: string | undefined;
  readonly runtimeCompatible: boolean;
  readonly #rawDependencies: unknown;
  readonly #displayName: string;
  readonly #ownerId: string | undefined;
  #dependencies: readonly LoadedDependency[] | undefined;

  constructor(fields: RecordVersionFields) {
    this.version = fields.version;
    this.semver = fields.semver;
    this.#rawDependencies = fields.rawDependencies;
    this.#displayName = fields.displayName;
    this.#ownerId = fields.ownerId;
    this.minRuntime = fields.minRuntime;
    this.maxRuntime = fields.maxRuntime;
    this.runtimeCompatible = fields.runtimeCompatible;
  }

  // Most versions of a large registry are never looked at, so parsing waits until one is.
  get dependencies(): readonly LoadedDependency[] {
    this.#dependencies ??= loadDependencies(this.#rawDependencies, {
      label: `${this.#displayName} ${this.version}`,
      pluginId: this.#ownerId,
    });
    return this.#dependencies;
  }
}

function loadVersion(
  entry: PluginVersionRecord | PluginVersionTuple,
  context: UniverseContext,
): LoadedVersion {
  const { pluginId, displayName, runtimeVersion } = context;
  if (Array.isArray(entry)) {
    const [id, version] = entry as PluginVersionTuple;
    if (entry.length !== 2 || id !== pluginId) {
      throw argumentError(`A [plugin_id, version] pair for "${pluginId}" is malformed.`, { entry });
    }
    const semver = checkVersion(version, pluginId);
    return new RecordVersion({
      version,
      semver,
      rawDependencies: undefined,
      displayName: pluginId,
      ownerId: pluginId,
      runtimeCompatible: true,
    });
  }
  if (!isJsonObject(entry)) {
    throw argumentError(`A version of "${pluginId}" is not an object or a [plugin_id, version] pair.`, {
      entry,
    });
  }
  if (entry.plugin_id !== undefined && entry.plugin_id !== pluginId) {
    throw argumentError(
      `Asked for versions of "${pluginId}", got a record of "${String(entry.plugin_id)}".`,
      {
        plugin_id: entry.plugin_id,
      },
    );
  }
  const semver = checkVersion(entry.version, displayName);
  const version = entry.version as string;
  // Checked below by checkRuntimeCompatibility, which rejects anything but a version or "*".
  const minRuntime = entry.min_runtime_version as string | undefined;
  const maxRuntime = entry.max_runtime_version as string | undefined;
  const hasBounds =
    (minRuntime !== undefined && minRuntime !== '*') || (maxRuntime !== undefined && maxRuntime !== '*');
  let runtimeCompatible = true;
  if (hasBounds) {
    try {
      runtimeCompatible = checkRuntimeCompatibility(
        { min_runtime_version: minRuntime, max_runtime_version: maxRuntime },
        runtimeVersion ?? '0.0.0',
      );
    } catch (error) {
      const pluginError = error as PluginError;
      throw new PluginError(pluginError.code, `${displayName} ${version}: ${pluginError.message}`, {
        details: pluginError.details,
        cause: error,
      });
    }
  }
  return new RecordVersion({
    version,
    semver,
    rawDependencies: entry.dependencies,
    displayName,
    ownerId: pluginId === '' ? undefined : pluginId,
    minRuntime: minRuntime === '*' ? undefined : minRuntime,
    maxRuntime: maxRuntime === '*' ? undefined : maxRuntime,
    runtimeCompatible: runtimeVersion === undefined ? true : runtimeCompatible,
  });
}

function checkVersion(version: unknown, pluginId: string): SemVer {
  try {
    return toSemver(version);
  } catch (error) {
    throw new PluginError('INVALID_VERSION', `A version of "${pluginId}": ${(error as Error).message}`, {
      details: { plugin_id: pluginId, version },
      cause: error,
    });
  }
}

/** Options of {@link createPackageUniverse}. */
export interface CreatePackageUniverseOptions {
  /** Versions whose runtime bounds exclude it are marked incompatible. */
  readonly runtimeVersion?: string | undefined;
  /** How messages name the plugin (the root's id may be empty). */
  readonly displayName?: string | undefined;
}

/**
 * Builds the universe of one plugin from its records: parsed, sorted oldest first, duplicates
 * (same precedence) dropped after the first.
 * @throws PluginError INVALID_ARGUMENT, INVALID_VERSION, INVALID_CONSTRAINT, MANIFEST_INVALID
 */
export function createPackageUniverse(
  pluginId: string,
  entries: readonly unknown[],
  options: CreatePackageUniverseOptions = {},
): PackageUniverse {
  const context: UniverseContext = {
    pluginId,
    displayName: options.displayName ?? pluginId,
    runtimeVersion: options.runtimeVersion,
  };
  const loaded = entries.map((entry) =>
    loadVersion(entry as PluginVersionRecord | PluginVersionTuple, context),
  );
  // Array.prototype.sort is stable, so of equal versions the first listed stays first and is kept.
  let ascending = true;
  for (let index = 1; ascending && index < loaded.length; index += 1) {
    ascending = loaded[index - 1]!.semver.compare(loaded[index]!.semver) < 0;
  }
  // Strictly ascending input (the usual case) has no duplicates either, so it needs no more work.
  const sorted = ascending
    ? loaded
    : loaded
        .sort((left, right) => left.semver.compare(right.semver))
        .filter((version, index, all) => index === 0 || all[index - 1]!.semver.compare(version.semver) !== 0);
  const size = sorted.length;
  return {
    id: pluginId,
    versions: sorted,
    missing: size === 0,
    full: VersionSet.full(size),
    runtimeCompatible: VersionSet.fromIndexes(
      size,
      sorted.flatMap((version, index) => (version.runtimeCompatible ? [index] : [])),
    ),
    constraintSets: new Map(),
  };
}

/** The versions of a plugin that satisfy a constraint, cached per universe. */
export function constraintSet(universe: PackageUniverse, constraint: VersionConstraint): VersionSet {
  const cached = universe.constraintSets.get(constraint.constraint);
  if (cached !== undefined) return cached;
  const indexes: number[] = [];
  universe.versions.forEach((version, index) => {
    if (constraint.test(version.version)) indexes.push(index);
  });
  const set = VersionSet.fromIndexes(universe.versions.length, indexes);
  universe.constraintSets.set(constraint.constraint, set);
  return set;
}
