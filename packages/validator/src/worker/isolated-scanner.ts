import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PluginError } from '@agentplug/models';
import type { SourceAnalysis } from '../scan/scan-result';
import { incompleteAnalysis, type ParseMode } from '../scan/scan-source';
import type { ScanReply, ScanRequest } from './scan-protocol';

/** Limits of the scan worker. */
export interface IsolatedScannerOptions {
  /** The worker's heap (old generation), in MiB. */
  memoryMb: number;
  /** The longest one file's scan may take, in milliseconds. */
  timeoutMs: number;
}

/** This module's URL in ESM, in the CommonJS build (no import.meta) and from source alike. */
function currentModuleUrl(): string {
  return typeof __filename === 'string' ? pathToFileURL(__filename).href : import.meta.url;
}

/** How to start the scan worker: its built file, or (from the sources) a script that loads the TypeScript one. */
export type ScanWorkerSource = { kind: 'file'; url: URL } | { kind: 'script'; code: string };

/**
 * Finds the worker's entry: `scan-worker.js` beside the bundle (the build makes it an entry of
 * its own), or `scan-worker.ts` beside this file in the sources, loaded through tsx's require
 * hook (workspace tests and benches run the sources).
 * @throws PluginError INTERNAL when neither exists (a build without the worker entry)
 */
export function locateScanWorker(moduleUrl: string = currentModuleUrl()): ScanWorkerSource {
  const built = new URL('./scan-worker.js', moduleUrl);
  if (existsSync(built)) return { kind: 'file', url: built };
  const source = new URL('./scan-worker.ts', moduleUrl);
  if (existsSync(source)) {
    const tsx = createRequire(moduleUrl).resolve('tsx/cjs');
    return {
      kind: 'script',
      code: `require(${JSON.stringify(tsx)}); require(${JSON.stringify(fileURLToPath(source))});`,
    };
  }
  throw new PluginError(
    'INTERNAL',
    `the scan worker is missing next to ${moduleUrl}: reinstall @agentplug/validator (its build ships scan-worker.js beside index.js)`,
    { details: { moduleUrl } },
  );
}

interface Job {
  request: ScanRequest;
  resolve: (analysis: SourceAnalysis) => void;
  timer?: NodeJS.Timeout;
}

/** How deep the worker's stack goes, in MiB: deep enough for deeply nested real code. */
const WORKER_STACK_MB = 16;

/**
 * Scans files in a worker thread with a heap and a time limit, one at a time. A file that makes
 * the worker run out of memory, crash or overrun the time limit ends that worker (the next file
 * gets a new one) and is answered with a SCAN_INCOMPLETE analysis naming the reason: nothing a
 * file holds can take down or stall the thread that asked. The worker stays alive between scans
 * (so a plugin pays no start-up), unreferenced while idle (so it never keeps a process alive).
 */
export class IsolatedScanner {
  private readonly options: IsolatedScannerOptions;
  private worker: Worker | undefined;
  private readonly queue: Job[] = [];
  private current: Job | undefined;
  private nextId = 1;
  private closed = false;

  constructor(options: IsolatedScannerOptions) {
    this.options = options;
  }

  /** Scans one file; never rejects: a failure is a SCAN_INCOMPLETE analysis. */
  scan(code: string, filename: string, mode: ParseMode = 'by-extension'): Promise<SourceAnalysis> {
    if (this.closed) return Promise.resolve(incompleteAnalysis(filename, 'the validator was closed'));
    return new Promise((resolve) => {
      this.queue.push({ request: { id: this.nextId++, code, filename, mode }, resolve });
      this.pump();
    });
  }

  /** Ends the worker; scans still waiting are answered as incomplete. */
  async close(): Promise<void> {
    this.closed = true;
    const waiting = [...this.queue.splice(0), ...(this.current ? [this.current] : [])];
    this.current = undefined;
    for (const job of waiting)
      this.settle(job, incompleteAnalysis(job.request.filename, 'the validator was closed'));
    const worker = this.worker;
    this.worker = undefined;
    if (worker !== undefined) await worker.terminate();
  }

  private pump(): void {
    if (this.current !== undefined) return;
    const job = this.queue.shift();
    if (job === undefined) {
      this.worker?.unref();
      return;
    }
    this.current = job;
    const worker = this.ensureWorker();
    worker.ref();
    job.timer = setTimeout(
      () => this.fail(worker, `it took longer than ${this.options.timeoutMs} ms (the scan's time limit)`),
      this.options.timeoutMs,
    );
    worker.postMessage(job.request);
  }

  private ensureWorker(): Worker {
    if (this.worker !== undefined) return this.worker;
    const source = locateScanWorker();
    const worker = new Worker(source.kind === 'file' ? source.url : source.code, {
      eval: source.kind === 'script',
      // The host's flags (--import, --inspect, loaders) are not the scan's.
      execArgv: [],
      // The scan needs no environment; it gets none.
      env: {},
      resourceLimits: { maxOldGenerationSizeMb: this.options.memoryMb, stackSizeMb: WORKER_STACK_MB },
    });
    worker.on('message', (reply: ScanReply) => this.answer(worker, reply));
    worker.on('error', (error: Error & { code?: string }) => {
      const reason =
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `it ran out of memory (the scan's limit is ${this.options.memoryMb} MiB)`
          : `the scan worker failed: ${error.message}`;
      this.fail(worker, reason);
    });
    worker.on('exit', (exitCode) => this.fail(worker, `the scan worker stopped (exit code ${exitCode})`));
    this.worker = worker;
    return worker;
  }

  private answer(worker: Worker, reply: ScanReply): void {
    const job = this.current;
    if (worker !== this.worker || job === undefined || job.request.id !== reply.id) return;
    this.current = undefined;
    this.settle(
      job,
      'analysis' in reply
        ? reply.analysis
        : incompleteAnalysis(job.request.filename, `the scan failed: ${reply.failure}`),
    );
    this.pump();
  }

  /** The worker failed its current file (timeout, memory, crash): that file is incomplete, the worker is replaced. */
  private fail(worker: Worker, reason: string): void {
    if (worker !== this.worker) return;
    this.worker = undefined;
    void worker.terminate();
    const job = this.current;
    this.current = undefined;
    if (job !== undefined) this.settle(job, incompleteAnalysis(job.request.filename, reason));
    if (!this.closed) this.pump();
  }

  private settle(job: Job, analysis: SourceAnalysis): void {
    if (job.timer !== undefined) clearTimeout(job.timer);
    job.resolve(analysis);
  }
}
