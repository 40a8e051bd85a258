import { type FSWatcher, watch } from 'node:fs';

/** A running folder watch; `close()` stops it and any pending callback. */
export interface FolderWatch {
  close(): void;
}

/**
 * Watches a plugin folder recursively and calls `onChange` once per burst of changes, after
 * `debounceMs` without a further change. The watch does not keep the process alive.
 */
export function watchPluginFolder(
  folder: string,
  options: { debounceMs: number; onChange: () => void },
): FolderWatch {
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  let closed = false;
  const schedule = (): void => {
    if (closed) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (!closed) options.onChange();
    }, options.debounceMs);
    timer.unref();
  };
  try {
    watcher = watch(folder, { recursive: true, persistent: false }, schedule);
    // A folder that disappears or an exhausted watch budget ends the watch, not the host.
    watcher.on('error', () => watcher?.close());
  } catch {
    watcher = undefined;
  }
  return {
    close(): void {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      watcher?.close();
    },
  };
}
