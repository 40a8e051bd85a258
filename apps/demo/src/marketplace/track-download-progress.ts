import type { DownloadProgress } from '@agentplug/registry-client';
import type { DemoOutput } from '../output/demo-output';

/** Collects a download's progress events and prints one line per finished archive. */
export interface DownloadProgressPrinter {
  onProgress(progress: DownloadProgress): void;
  /** Prints `name version: [##########] 100% of N B in K chunks` for each download seen, then forgets them. */
  flush(): void;
}

/** Creates a {@link DownloadProgressPrinter} writing to `output`. */
export function trackDownloadProgress(output: DemoOutput): DownloadProgressPrinter {
  const downloads = new Map<string, { progress: DownloadProgress; events: number }>();
  return {
    onProgress(progress) {
      const key = `${progress.pluginId} ${progress.version}`;
      downloads.set(key, { progress, events: (downloads.get(key)?.events ?? 0) + 1 });
    },
    flush() {
      for (const [key, { progress, events }] of downloads) {
        const ratio = progress.totalBytes === 0 ? 1 : progress.receivedBytes / progress.totalBytes;
        const bar = '#'.repeat(Math.round(ratio * 20)).padEnd(20, '.');
        output.line(
          `downloaded ${key}: [${bar}] ${Math.round(ratio * 100)}% of ${progress.totalBytes} B (${events} progress events)`,
        );
      }
      downloads.clear();
    },
  };
}
