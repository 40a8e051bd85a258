import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PluginError } from '@agentplug/models';
import type { SourceAnalysis } from '../scan/scan-result';
import { incompleteAnalysis, type ParseMode } from '../scan/scan-source';
import type { ValidationIssue } from '../validate/validation-issue';
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
  timeoutMs: number;
  /** Called once, with the worker's reply or a failure made here (time limit, heap, crash, close). */
  resolve: (reply: ScanReply) => void;
}

/** `Omit` over each member of a union. */
type DistributiveOmit<Type, Key extends PropertyKey> = Type extends unknown ? Omit<Type, Key> : never;

/** How deep the worker's stack goes, in MiB: deep enough for deeply nested real code. */
const WORKER_STACK_MB = 16;

/**
 * One scan worker with a heap limit, shared by every scanner with that limit: a host that makes
 * several validators pays for one warm worker. Files are sent as soon as they are asked for and
 * scanned in order, so a plugin of many files waits for about one round trip, not one per file;
 * only the file at the head is being scanned, so it alone has its time limit running, and it
 * alone is to blame when the worker dies.
 */
class ScanWorkerLine {
  private readonly memoryMb: number;
  private worker: Worker | undefined;
  /** Sent and waiting for their answer, in the order the worker scans them. */
  private readonly sent: Job[] = [];
  private timer: NodeJS.Timeout | undefined;
  private nextId = 1;
  /** How many scanners use this line; at zero, its worker is ended. */
  users = 0;
  /** How many workers this line has started: one, unless a file broke a limit or the worker died. */
  started = 0;

  constructor(memoryMb: number) {
    this.memoryMb = memoryMb;
  }

  /** Sends a task; the reply is the worker's, or a failure (never a rejection). */
  run(task: DistributiveOmit<ScanRequest, 'id'>, timeoutMs: number): Promise<ScanReply> {
    return new Promise((resolve) => {
      const job: Job = { request: { ...task, id: this.nextId++ } as ScanRequest, timeoutMs, resolve };
      this.sent.push(job);
      const worker = this.ensureWorker();
      worker.ref();
      worker.postMessage(job.request);
      if (this.sent.length === 1) this.startTimer(worker);
    });
  }

  async end(): Promise<void> {
    const waiting = this.sent.splice(0);
    this.stopTimer();
    for (const job of waiting) job.resolve({ id: job.request.id, failure: 'the validator was closed' });
    const worker = this.worker;
    this.worker = undefined;
    if (worker !== undefined) await worker.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker !== undefined) return this.worker;
    const source = locateScanWorker();
    const worker = new Worker(source.kind === 'file' ? source.url : source.code, {
      eval: source.kind === 'script',
      // The host's flags (--import, --inspect, loaders) are not the scan's; it needs no environment.
      execArgv: [],
      env: {},
      resourceLimits: { maxOldGenerationSizeMb: this.memoryMb, stackSizeMb: WORKER_STACK_MB },
    });
    this.started += 1;
    worker.on('message', (reply: ScanReply) => this.answer(worker, reply));
    worker.on('error', (error: Error & { code?: string }) => {
      const reason =
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `it ran out of memory (the scan's limit is ${this.memoryMb} MiB)`
          : `the scan worker failed: ${error.message}`;
      this.fail(worker, reason);
    });
    worker.on('exit', (exitCode) => this.fail(worker, `the scan worker stopped (exit code ${exitCode})`));
    this.worker = worker;
    return worker;
  }

  /** The head file's time limit runs while the worker scans it, and only then. */
  private startTimer(worker: Worker): void {
    const head = this.sent[0];
    if (head === undefined) return;
    this.timer = setTimeout(
      () => this.fail(worker, `it took longer than ${head.timeoutMs} ms (the scan's time limit)`),
      head.timeoutMs,
    );
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private answer(worker: Worker, reply: ScanReply): void {
    const head = this.sent[0];
    if (worker !== this.worker || head === undefined || head.request.id !== reply.id) return;
    this.sent.shift();
    this.stopTimer();
    head.resolve('failure' in reply ? { id: reply.id, failure: `the scan failed: ${reply.failure}` } : reply);
    if (this.sent.length > 0) this.startTimer(worker);
    else worker.unref();
  }

  /**
   * The worker failed its head file (time limit, heap, crash): that file is incomplete; the
   * files sent after it go to a new worker.
   */
  private fail(worker: Worker, reason: string): void {
    if (worker !== this.worker) return;
    this.worker = undefined;
    this.stopTimer();
    void worker.terminate();
    const head = this.sent.shift();
    if (head !== undefined) head.resolve({ id: head.request.id, failure: reason });
    if (this.sent.length === 0) return;
    const next = this.ensureWorker();
    next.ref();
    for (const job of this.sent) next.postMessage(job.request);
    this.startTimer(next);
  }
}

/** The shared lines, by heap limit. */
const lines = new Map<number, ScanWorkerLine>();

/**
 * Scans files in a worker thread with a heap and a time limit. A file that makes the worker run
 * out of memory, crash or overrun the time limit ends that worker (the next file gets a new one)
 * and is answered with a SCAN_INCOMPLETE analysis naming the reason: nothing a file holds can
 * take down or stall the thread that asked. The worker stays alive between scans, shared by the
 * scanners with the same heap limit, and unreferenced while idle, so it never keeps a process
 * alive.
 */
export class IsolatedScanner {
  private readonly options: IsolatedScannerOptions;
  private line: ScanWorkerLine | undefined;

  constructor(options: IsolatedScannerOptions) {
    this.options = options;
  }

  /** Scans one file; never rejects: a failure is a SCAN_INCOMPLETE analysis. */
  async scan(code: string, filename: string, mode: ParseMode = 'by-extension'): Promise<SourceAnalysis> {
    const reply = await this.acquire().run({ task: 'scan', code, filename, mode }, this.options.timeoutMs);
    if ('analysis' in reply) return reply.analysis;
    return incompleteAnalysis(
      filename,
      'failure' in reply ? reply.failure : 'the scan worker answered out of turn',
    );
  }

  /**
   * Checks that an entry module implements the declared capabilities (see
   * `checkCapabilityImplementations`); a failure leaves it undecided (no issues): the scan of the
   * same file reports why it failed.
   */
  async checkCapabilities(code: string, filename: string, declared: string[]): Promise<ValidationIssue[]> {
    const reply = await this.acquire().run(
      { task: 'capabilities', code, filename, declared },
      this.options.timeoutMs,
    );
    return 'issues' in reply ? reply.issues : [];
  }

  /** How many workers the line this scanner uses has started (zero before its first scan): a warm worker is reused. */
  workersStarted(): number {
    return this.line?.started ?? 0;
  }

  private acquire(): ScanWorkerLine {
    if (this.line === undefined) {
      const line = lines.get(this.options.memoryMb) ?? new ScanWorkerLine(this.options.memoryMb);
      lines.set(this.options.memoryMb, line);
      line.users += 1;
      this.line = line;
    }
    return this.line;
  }

  /** Stops using the worker; the last scanner to stop ends it (scans still waiting are answered as incomplete). */
  async close(): Promise<void> {
    const line = this.line;
    this.line = undefined;
    if (line === undefined) return;
    line.users -= 1;
    if (line.users > 0) return;
    lines.delete(this.options.memoryMb);
    await line.end();
  }
}
