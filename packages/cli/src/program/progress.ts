import type { DownloadProgress } from '@agentplug/registry-client';
import { formatBytes, printLine } from './output';

const BAR_WIDTH = 30;

/**
 * Reports download progress: a redrawn bar when standard output is a terminal, otherwise one
 * plain line when a download starts and one when it ends (logs stay readable).
 */
export function createProgressReporter(
  options: { quiet?: boolean } = {},
): (progress: DownloadProgress) => void {
  const started = new Set<string>();
  const finished = new Set<string>();
  const interactive = process.stdout.isTTY === true;
  return (progress) => {
    if (options.quiet) return;
    const key = `${progress.pluginId}@${progress.version}`;
    const total = progress.totalBytes;
    const done = total > 0 && progress.receivedBytes >= total;
    if (interactive) {
      const ratio = total > 0 ? Math.min(1, progress.receivedBytes / total) : 0;
      const filled = Math.round(ratio * BAR_WIDTH);
      const bar = `${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}`;
      process.stdout.write(
        `\r[${bar}] ${String(Math.round(ratio * 100)).padStart(3)}% ${formatBytes(progress.receivedBytes)}/${formatBytes(total)} ${key}`,
      );
      if (done && !finished.has(key)) {
        finished.add(key);
        process.stdout.write('\n');
      }
      return;
    }
    if (!started.has(key)) {
      started.add(key);
      printLine(`downloading ${key} (${formatBytes(total)})`);
    }
    if (done && !finished.has(key)) {
      finished.add(key);
      printLine(`downloaded ${key}`);
    }
  };
}
