import { PluginError } from '@agentplug/models';
import { toSemver } from '../version/parse-version';

/** The runtime bounds of a plugin version, as in plugin.json (`*` or absent means no bound). */
export interface RuntimeBounds {
  min_runtime_version?: string;
  max_runtime_version?: string;
}

function bound(value: string | undefined, field: string): string | undefined {
  if (value === undefined || value === '*') return undefined;
  try {
    toSemver(value);
  } catch (error) {
    throw new PluginError(
      'INVALID_VERSION',
      `${field} "${String(value)}" is not a semantic version or "*": ${(error as Error).message}`,
      { details: { field, value }, cause: error },
    );
  }
  return value;
}

/**
 * Whether a runtime version lies within a plugin's bounds: min <= runtime <= max, `*` open.
 * A manifest whose min is above its max is reported (thrown), not treated as incompatible.
 * @throws PluginError INVALID_VERSION for a malformed bound or runtime version; MANIFEST_INVALID when min > max
 * @example checkRuntimeCompatibility({ min_runtime_version: '1.0.0', max_runtime_version: '*' }, '1.5.0') // true
 */
export function checkRuntimeCompatibility(metadata: RuntimeBounds, runtimeVersion: string): boolean {
  const runtime = toSemver(runtimeVersion);
  const min = bound(metadata.min_runtime_version, 'min_runtime_version');
  const max = bound(metadata.max_runtime_version, 'max_runtime_version');
  if (min !== undefined && max !== undefined && toSemver(min).compare(toSemver(max)) > 0) {
    const name =
      typeof (metadata as { plugin_id?: unknown }).plugin_id === 'string'
        ? `${(metadata as { plugin_id: string }).plugin_id}: `
        : '';
    throw new PluginError(
      'MANIFEST_INVALID',
      `${name}min_runtime_version ${min} is above max_runtime_version ${max}; fix the manifest so that min <= max.`,
      { details: { min_runtime_version: min, max_runtime_version: max } },
    );
  }
  if (min !== undefined && runtime.compare(toSemver(min)) < 0) return false;
  if (max !== undefined && runtime.compare(toSemver(max)) > 0) return false;
  return true;
}
