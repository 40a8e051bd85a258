import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

/**
 * `value` with every mention of `from` (a folder path) in its strings replaced by `to`: a report
 * about a temporary copy, made to name the user's own files.
 */
export function replacePathInValue<Value>(value: Value, from: string, to: string): Value {
  if (typeof value === 'string') return value.replaceAll(from, to) as Value;
  if (Array.isArray(value)) return value.map((item) => replacePathInValue(item, from, to)) as Value;
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      Object.defineProperty(copy, key, {
        value: replacePathInValue(item, from, to),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return copy as Value;
  }
  return value;
}

/**
 * Copies the files `pack` would ship (as {@link planPack} lists them) from a plugin folder into a
 * temporary folder, runs `work` on the copy, and removes it. `validate` and `pack` check this copy,
 * so what is checked is exactly what ships: a project's dev dependencies, sources and tests do not
 * count against the plugin, and a file the archive would lack is missing here too. Whatever `work`
 * returns or throws names the user's folder, never the copy.
 */
export async function withShippedCopy<Result>(
  pluginPath: string,
  files: readonly { path: string }[],
  work: (copyPath: string) => Promise<Result>,
): Promise<Result> {
  const root = await mkdtemp(join(tmpdir(), 'agentplug-shipped-'));
  const copyPath = join(root, basename(pluginPath));
  try {
    for (const file of files) {
      const target = join(copyPath, file.path);
      await mkdir(dirname(target), { recursive: true });
      await copyFile(join(pluginPath, file.path), target);
    }
    return replacePathInValue(await work(copyPath), copyPath, pluginPath);
  } catch (error) {
    if (error instanceof Error) {
      error.message = error.message.replaceAll(copyPath, pluginPath);
      const details = (error as { details?: unknown }).details;
      if (typeof details === 'object' && details !== null) {
        Object.defineProperty(error, 'details', { value: replacePathInValue(details, copyPath, pluginPath) });
      }
    }
    throw error;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
