import { PluginError } from '@agentplug/models';
import { toSemver } from '../version/parse-version';
import { ExplanationWriter, externalIncompatibilities } from './explain-failure';
import type { Incompatibility } from './incompatibility';
import { computeLoadOrder } from './load-order';
import {
  checkPluginId,
  constraintSet,
  createPackageUniverse,
  type LoadedDependency,
  type LoadedVersion,
  type PackageUniverse,
} from './package-universe';
import type { AvailablePlugins, ResolutionRoot } from './plugin-version-record';
import { optionalKey, PubGrubSolver } from './pubgrub-solver';
import type { ResolveDependenciesOptions, ResolveFailure, ResolveResult } from './resolve-types';

type VersionLookup = (pluginId: string) => readonly unknown[] | Promise<readonly unknown[]>;
type Fetched = ReadonlyMap<string, readonly unknown[]>;

function argumentError(message: string, details: Record<string, unknown> = {}): PluginError {
  return new PluginError('INVALID_ARGUMENT', message, { details });
}

function normalizeFetched(pluginId: string, value: unknown): readonly unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    throw argumentError(
      `getVersions("${pluginId}") must return an array of plugin versions, undefined or null.`,
    );
  }
  return value;
}

function createLookup(available: AvailablePlugins): VersionLookup {
  if (Array.isArray(available)) {
    const byId = new Map<string, unknown[]>();
    available.forEach((entry: unknown, index) => {
      const id = Array.isArray(entry)
        ? entry[0]
        : typeof entry === 'object' && entry !== null
          ? (entry as { plugin_id?: unknown }).plugin_id
          : undefined;
      const pluginId = checkPluginId(id, `available[${index}]`);
      const list = byId.get(pluginId) ?? [];
      list.push(entry);
      byId.set(pluginId, list);
    });
    return (pluginId) => byId.get(pluginId) ?? [];
  }
  const source = available as { getVersions?: unknown } | null;
  if (typeof source !== 'object' || source === null || typeof source.getVersions !== 'function') {
    throw argumentError(
      'available must be an array of plugin versions or an object with getVersions(pluginId).',
    );
  }
  const getVersions = source.getVersions as (pluginId: string) => unknown;
  return (pluginId) => {
    let value: unknown;
    try {
      value = getVersions.call(source, pluginId);
    } catch (error) {
      throw wrapSourceError(error, pluginId);
    }
    if (value instanceof Promise || (typeof value === 'object' && value !== null && 'then' in value)) {
      return Promise.resolve(value).then(
        (resolved) => normalizeFetched(pluginId, resolved),
        (error: unknown) => {
          throw wrapSourceError(error, pluginId);
        },
      );
    }
    return normalizeFetched(pluginId, value);
  };
}

function wrapSourceError(error: unknown, pluginId: string): PluginError {
  if (PluginError.is(error)) return error;
  const text = error instanceof Error ? error.message : String(error);
  return new PluginError('INVALID_ARGUMENT', `getVersions("${pluginId}") failed: ${text}`, { cause: error });
}

interface RootInfo {
  readonly id: string;
  readonly name: string;
  readonly inSolution: boolean;
  readonly universe: PackageUniverse;
}

function readRoot(root: ResolutionRoot, runtimeVersion: string | undefined): RootInfo {
  if (typeof root !== 'object' || root === null || Array.isArray(root)) {
    throw argumentError('root must be a manifest or an object with dependencies.');
  }
  const name = root.plugin_id === undefined ? 'root' : checkPluginId(root.plugin_id, 'root');
  if (root.version !== undefined) toSemver(root.version);
  // Only a root with an id and a version is a plugin of the solution; otherwise its id stays free.
  const inSolution = root.plugin_id !== undefined && root.version !== undefined;
  const id = inSolution ? name : '';
  const universe = createPackageUniverse(
    id,
    [
      {
        plugin_id: id,
        version: root.version ?? '0.0.0',
        dependencies: root.dependencies,
        min_runtime_version: root.min_runtime_version,
        max_runtime_version: root.max_runtime_version,
      },
    ],
    { runtimeVersion, displayName: name },
  );
  return { id, name, inSolution, universe };
}

/** Runs PubGrub, giving up on optional dependencies that take part in a failure, and shapes the result. */
function* resolveSteps(
  root: ResolutionRoot,
  options: ResolveDependenciesOptions,
): Generator<readonly string[], ResolveResult, Fetched> {
  const runtimeVersion = options.runtimeVersion;
  if (runtimeVersion !== undefined) toSemver(runtimeVersion);
  const rootInfo = readRoot(root, runtimeVersion);
  const universes = new Map<string, PackageUniverse>();
  const dropped = new Set<string>();
  for (;;) {
    const solver = new PubGrubSolver(rootInfo.universe, dropped);
    const run = solver.solve();
    let step = run.next();
    while (step.done !== true) {
      const needed = step.value.filter((id) => !universes.has(id));
      if (needed.length > 0) {
        const fetched: Fetched = yield needed;
        for (const id of needed) {
          universes.set(id, createPackageUniverse(id, fetched.get(id) ?? [], { runtimeVersion }));
        }
      }
      for (const id of step.value) solver.addUniverse(universes.get(id)!);
      step = run.next();
    }
    const outcome = step.value;
    const context: ShapeContext = { rootInfo, universes: solver.universes, dropped, runtimeVersion };
    if (outcome.ok) return shapeSuccess(context, outcome.decisions);
    const optional = externalIncompatibilities(outcome.incompatibility)
      .filter(
        (incompatibility) => incompatibility.cause.kind === 'dependency' && incompatibility.cause.optional,
      )
      .map((incompatibility) =>
        optionalKey(incompatibility.terms[0]!.packageId, incompatibility.terms[1]!.packageId),
      )
      .filter((key) => !dropped.has(key));
    if (optional.length === 0) {
      return shapeFailure(context, outcome.incompatibility);
    }
    for (const key of optional) dropped.add(key);
  }
}

/** What shaping a result needs: the root, the plugins' universes, the optional dependencies given up, the runtime. */
interface ShapeContext {
  readonly rootInfo: RootInfo;
  readonly universes: ReadonlyMap<string, PackageUniverse>;
  readonly dropped: ReadonlySet<string>;
  readonly runtimeVersion: string | undefined;
}

function shapeFailure(context: ShapeContext, incompatibility: Incompatibility): ResolveFailure {
  const { rootInfo, universes, runtimeVersion } = context;
  const explanation = new ExplanationWriter(incompatibility, {
    universes,
    rootId: rootInfo.id,
    rootName: rootInfo.name,
    runtimeVersion,
  }).write();
  const plugins = new Set<string>();
  for (const external of externalIncompatibilities(incompatibility)) {
    for (const term of external.terms) plugins.add(term.packageId);
    if (external.cause.kind === 'unavailable-dependency') plugins.add(external.cause.dependencyId);
  }
  if (!rootInfo.inSolution) plugins.delete(rootInfo.id);
  return {
    ok: false,
    code: 'DEPENDENCY_UNRESOLVED',
    explanation,
    plugins: [...plugins].sort(),
    warnings: [],
  };
}

function shapeSuccess(context: ShapeContext, decisions: ReadonlyMap<string, number>): ResolveResult {
  const { rootInfo, universes } = context;
  const chosen = new Map<string, LoadedVersion>();
  for (const [id, index] of decisions) chosen.set(id, universes.get(id)!.versions[index]!);
  const edges = new Map<string, string[]>();
  for (const [id, version] of chosen) {
    edges.set(
      id,
      version.dependencies
        .map((dependency) => dependency.pluginId)
        .filter((dependencyId) => chosen.has(dependencyId)),
    );
  }
  const ordered = computeLoadOrder(rootInfo.id, edges);
  const include = (id: string) => id !== rootInfo.id || rootInfo.inSolution;
  const label = (id: string) => (id === rootInfo.id ? rootInfo.name : id);

  if ('cycle' in ordered) {
    const solution = Object.fromEntries(
      [...chosen].filter(([id]) => include(id)).map(([id, version]) => [id, version.version]),
    );
    const steps = ordered.cycle.slice(0, -1).map((id, index) => {
      const next = ordered.cycle[index + 1]!;
      const dependency = chosen.get(id)!.dependencies.find((candidate) => candidate.pluginId === next)!;
      const version = id === rootInfo.id && !rootInfo.inSolution ? '' : ` ${chosen.get(id)!.version}`;
      return `${label(id)}${version} depends on ${next} ${dependency.constraint.constraint}`;
    });
    return {
      ok: false,
      code: 'DEPENDENCY_CYCLE',
      explanation: `The selected plugins depend on each other in a cycle: ${ordered.cycle.map(label).join(' -> ')} (${steps.join(', ')}). A plugin cannot be loaded before itself; remove one of these dependencies.`,
      plugins: [...new Set(ordered.cycle.map(label))].sort(),
      cycle: ordered.cycle.map(label),
      solution,
      warnings: [],
    };
  }

  const order = ordered.order.filter(include);
  const solution = Object.fromEntries(order.map((id) => [id, chosen.get(id)!.version]));
  const warnings: string[] = [];
  for (const id of ordered.order) {
    const version = chosen.get(id)!;
    for (const dependency of version.dependencies) {
      if (!dependency.optional) continue;
      const owner =
        id === rootInfo.id && !rootInfo.inSolution ? rootInfo.name : `${label(id)} ${version.version}`;
      const what = `Optional dependency ${dependency.pluginId} ${dependency.constraint.constraint} of ${owner}`;
      const selected = chosen.get(dependency.pluginId);
      if (selected !== undefined) {
        if (!dependency.constraint.test(selected.version)) {
          warnings.push(
            `${what} is not satisfied: ${dependency.pluginId} ${selected.version} was selected for other plugins.`,
          );
        }
        continue;
      }
      warnings.push(`${what} was left out: ${leftOutReason(context, { ownerId: id, dependency })}.`);
    }
  }
  return { ok: true, solution, order, warnings };
}

function leftOutReason(
  context: ShapeContext,
  { ownerId, dependency }: { ownerId: string; dependency: LoadedDependency },
): string {
  const { universes, dropped, runtimeVersion } = context;
  if (dropped.has(optionalKey(ownerId, dependency.pluginId)))
    return 'it conflicts with the other dependencies';
  const target = universes.get(dependency.pluginId);
  if (target === undefined || target.missing) return `${dependency.pluginId} is not available`;
  const matching = constraintSet(target, dependency.constraint);
  if (matching.isEmpty())
    return `no version of ${dependency.pluginId} matches ${dependency.constraint.constraint}`;
  if (matching.isDisjointFrom(target.runtimeCompatible)) {
    return `no matching version of ${dependency.pluginId} supports runtime ${runtimeVersion ?? ''}`.trimEnd();
  }
  if (dropped.has(optionalKey(ownerId, dependency.pluginId)))
    return 'it conflicts with the other dependencies';
  return 'it was not needed';
}

/**
 * Chooses one version of every plugin the root needs, with PubGrub (pub's algorithm: unit
 * propagation, conflict-driven learning, backjumping), newest versions preferred, and returns
 * the solution and a load order, or an explanation of why none exists. Async because the source
 * may be; see {@link resolveDependenciesSync} for lists and sync sources.
 * @throws PluginError INVALID_ARGUMENT, INVALID_VERSION, INVALID_CONSTRAINT, MANIFEST_INVALID for malformed input only
 * @example
 * const result = await resolveDependencies(manifest, [['com.example.mathlib', '2.1.0']], { runtimeVersion: '1.5.0' });
 * if (result.ok) console.log(result.order); else console.error(result.explanation);
 */
export async function resolveDependencies(
  root: ResolutionRoot,
  available: AvailablePlugins,
  options: ResolveDependenciesOptions = {},
): Promise<ResolveResult> {
  const lookup = createLookup(available);
  const steps = resolveSteps(root, options);
  let step = steps.next();
  while (step.done !== true) {
    const entries = await Promise.all(
      step.value.map(async (id): Promise<[string, readonly unknown[]]> => [id, await lookup(id)]),
    );
    step = steps.next(new Map(entries));
  }
  return step.value;
}

/**
 * {@link resolveDependencies} for a list or a source whose getVersions is synchronous.
 * @throws PluginError INVALID_ARGUMENT (also when getVersions returns a promise), INVALID_VERSION, INVALID_CONSTRAINT, MANIFEST_INVALID
 */
export function resolveDependenciesSync(
  root: ResolutionRoot,
  available: AvailablePlugins,
  options: ResolveDependenciesOptions = {},
): ResolveResult {
  const lookup = createLookup(available);
  const steps = resolveSteps(root, options);
  let step = steps.next();
  while (step.done !== true) {
    const fetched = new Map<string, readonly unknown[]>();
    for (const id of step.value) {
      const value = lookup(id);
      if (value instanceof Promise) {
        value.catch(() => undefined);
        throw argumentError(
          `getVersions("${id}") returned a promise; use resolveDependencies (async) for async sources.`,
        );
      }
      fetched.set(id, value);
    }
    step = steps.next(fetched);
  }
  return step.value;
}

/**
 * Returns a successful result, or throws its failure as a PluginError (code DEPENDENCY_UNRESOLVED
 * or DEPENDENCY_CYCLE, the explanation as the message).
 * @throws PluginError DEPENDENCY_UNRESOLVED, DEPENDENCY_CYCLE
 */
export function assertResolved(result: ResolveResult): Extract<ResolveResult, { ok: true }> {
  if (result.ok) return result;
  throw new PluginError(result.code, result.explanation, {
    details: { plugins: result.plugins, cycle: result.cycle },
  });
}
