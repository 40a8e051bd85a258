/** What makes a plugin: a class to construct, or a factory to call. */
export interface PickedPluginExport {
  kind: 'class' | 'factory';
  value: (...args: unknown[]) => unknown;
}

/** Whether a function is a class (or an old-style constructor with methods on its prototype). */
export declare function isClass(value: (...args: never[]) => unknown): boolean;
/** Picks the Plugin class, createPlugin factory or default export of either; undefined when none. */
export declare function pickPluginExport(
  moduleExports: unknown,
  depth?: number,
): PickedPluginExport | undefined;
