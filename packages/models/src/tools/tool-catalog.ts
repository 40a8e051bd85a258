import { describeTools, type ToolDescriptor } from './describe-tools';
import { createToolFilter, type ToolFilterOptions } from './tool-filter';
import type { ToolSource } from './tool-source';

/**
 * The time limit an agent framework adapter gives each tool call when its options name none, in
 * milliseconds: long enough for real work, short enough that a hung plugin cannot stall an agent.
 */
export const DEFAULT_TOOL_CALL_TIMEOUT_MS: number = 60_000;

/** One tool of a {@link ToolCatalog}: what it offers, and the framework's tool object for it. */
export interface ToolCatalogEntry<T> {
  descriptor: ToolDescriptor;
  tool: T;
}

/** Options of {@link createToolCatalog}. */
export interface ToolCatalogOptions extends ToolFilterOptions {
  /** Problems the catalog survives (a tool factory or a listener that threw). Default: ignored. */
  onError?: (error: Error) => void;
}

/** A live list of the tools a source's active plugins offer, each built once into a framework's tool. */
export interface ToolCatalog<T> {
  /** The tools now, sorted by name. The same array until the list changes. */
  list(): readonly ToolCatalogEntry<T>[];
  /** Calls `listener` with the new list after each change; returns the unsubscribe function. */
  subscribe(listener: (entries: readonly ToolCatalogEntry<T>[]) => void): () => void;
  /** Stops following the source; `list()` keeps answering what it had. Idempotent. */
  close(): void;
}

interface CachedTool<T> {
  entry: ToolCatalogEntry<T>;
  /** The manifest objects the descriptor was made from: while they are the same, so is the tool. */
  capability: object;
  title: string;
  description: string;
}

/**
 * Follows a tool source (a `PluginLoader`): lists the tools its active plugins offer, builds each
 * into a framework's tool with `createTool`, and rebuilds the list whenever the source reports a
 * change (activation, deactivation, reload, unload, failure), at once, so the list is current by
 * the time the loader's operation resolves. A tool is built again only when its capability
 * changed (a reload); unchanged tools keep their identity.
 *
 * @example
 * const catalog = createToolCatalog(loader, (descriptor) => ({ name: descriptor.name }), { excludeCapabilities: ['delete*'] });
 * catalog.subscribe((entries) => console.log(entries.map((entry) => entry.descriptor.name)));
 */
export function createToolCatalog<T>(
  source: ToolSource,
  createTool: (descriptor: ToolDescriptor) => T,
  options: ToolCatalogOptions = {},
): ToolCatalog<T> {
  const isOffered = createToolFilter(options);
  const describePlugin = source.getPluginState
    ? (pluginId: string) => source.getPluginState?.(pluginId)?.metadata
    : undefined;
  const listeners = new Set<(entries: readonly ToolCatalogEntry<T>[]) => void>();
  const report = (error: unknown): void => {
    try {
      options.onError?.(error instanceof Error ? error : new Error(String(error)));
    } catch {
      // A failing error reporter must not break the loader's event emission either.
    }
  };
  let cache = new Map<string, CachedTool<T>>();
  let current: readonly ToolCatalogEntry<T>[] = [];

  const rebuild = (): boolean => {
    const entries = source.listCapabilities();
    const capabilityObjects = new Map<string, object>();
    for (const { pluginId, capability } of entries)
      capabilityObjects.set(`${pluginId}\n${capability.name}`, capability);
    const next = new Map<string, CachedTool<T>>();
    let changed = false;
    for (const descriptor of describeTools(entries, {
      isOffered,
      ...(describePlugin ? { describePlugin } : {}),
    })) {
      const capability = capabilityObjects.get(`${descriptor.pluginId}\n${descriptor.capability}`)!;
      const previous = cache.get(descriptor.name);
      if (
        previous !== undefined &&
        previous.capability === capability &&
        previous.title === descriptor.title &&
        previous.description === descriptor.description
      ) {
        next.set(descriptor.name, previous);
        continue;
      }
      changed = true;
      let tool: T;
      try {
        tool = createTool(descriptor);
      } catch (error) {
        // One capability the framework cannot take (a schema it refuses) must not hide the others.
        report(error);
        continue;
      }
      next.set(descriptor.name, {
        entry: { descriptor, tool },
        capability,
        title: descriptor.title,
        description: descriptor.description,
      });
    }
    if (!changed && next.size === cache.size) return false;
    cache = next;
    current = Object.freeze([...next.values()].map((cached) => cached.entry));
    return true;
  };

  const onChange = (): void => {
    let changed: boolean;
    try {
      changed = rebuild();
    } catch (error) {
      report(error);
      return;
    }
    if (!changed) return;
    for (const listener of [...listeners]) {
      try {
        listener(current);
      } catch (error) {
        report(error);
      }
    }
  };

  rebuild();
  let unsubscribe: (() => void) | undefined = source.on('capabilitiesChanged', onChange);
  return {
    list: () => current,
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    close() {
      unsubscribe?.();
      unsubscribe = undefined;
      listeners.clear();
    },
  };
}
