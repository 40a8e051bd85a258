import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PluginError } from '@agentplug/models';
import type { ExtractionLimits } from '@agentplug/registry-client';
import type { ArchiveInspection } from './inspect-archive';
import type { InspectionReply, InspectionRequest } from './inspection-protocol';

/** Options of {@link createInspectionPool}. */
export interface InspectionPoolOptions {
  /** Workers at most; each inspects one archive at a time, the rest wait in order. */
  size: number;
  /** Whether each worker runs the default validator (`@agentplug/validator` with its defaults). */
  validate: boolean;
  extractionLimits?: ExtractionLimits;
}

/** Inspects uploads in worker threads, so extraction, the manifest and validation run on other cores. */
export interface InspectionPool {
  /**
   * Inspects an archive as `inspectArchive` does, in a worker.
   * @throws PluginError what `inspectArchive` throws, INTERNAL (a worker died), UNAVAILABLE (the pool is closed)
   */
  inspect(archive: Uint8Array): Promise<ArchiveInspection>;
  close(): Promise<void>;
}

/** This module's URL in ESM, in the CommonJS build (no import.meta) and from source alike. */
function currentModuleUrl(): string {
  return typeof __filename === 'string' ? pathToFileURL(__filename).href : import.meta.url;
}

/**
 * How to start a worker: `inspection-worker.js` beside the bundle (the build makes it an entry of
 * its own), or from the sources `inspection-worker.ts` through tsx's require hook.
 * @throws PluginError INTERNAL when neither exists (a build without the worker entry)
 */
function locateWorker(moduleUrl: string = currentModuleUrl()): { file: URL } | { code: string } {
  const built = new URL('./inspection-worker.js', moduleUrl);
  if (existsSync(built)) return { file: built };
  const source = new URL('./inspection-worker.ts', moduleUrl);
  if (existsSync(source)) {
    const tsx = createRequire(moduleUrl).resolve('tsx/cjs');
    return { code: `require(${JSON.stringify(tsx)}); require(${JSON.stringify(fileURLToPath(source))});` };
  }
  throw new PluginError(
    'INTERNAL',
    `the inspection worker is missing next to ${moduleUrl}: reinstall @agentplug/marketplace (its build ships inspection-worker.js beside index.js)`,
  );
}

interface Job {
  request: InspectionRequest;
  resolve(inspection: ArchiveInspection): void;
  reject(error: unknown): void;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
}

/**
 * Starts a pool of `size` inspection workers (at least one), started now so the first upload does
 * not wait for one to load. A worker that dies refuses its archive with INTERNAL and is replaced.
 * @throws PluginError INTERNAL when the worker's file is missing (a build without it)
 * @example
 * const pool = createInspectionPool({ size: 2, validate: true });
 * const inspection = await pool.inspect(archive);
 */
export function createInspectionPool(options: InspectionPoolOptions): InspectionPool {
  const waiting: Job[] = [];
  const slots = new Set<Slot>();
  let nextId = 1;
  let closed = false;

  const release = (slot: Slot): void => {
    slot.job = undefined;
    const next = waiting.shift();
    if (next === undefined) {
      slot.worker.unref();
      return;
    }
    run(slot, next);
  };
  const run = (slot: Slot, job: Job): void => {
    slot.job = job;
    slot.worker.ref();
    slot.worker.postMessage(job.request);
  };
  const start = (): Slot => {
    const where = locateWorker();
    const worker =
      'file' in where
        ? new Worker(where.file, { execArgv: [] })
        : new Worker(where.code, { eval: true, execArgv: ['--conditions=@agentplug/source'] });
    const slot: Slot = { worker, job: undefined };
    slots.add(slot);
    worker.on('message', (reply: InspectionReply) => {
      const job = slot.job;
      if (job === undefined || reply.id !== job.request.id) return;
      if ('inspection' in reply) job.resolve(reply.inspection);
      else
        job.reject(new PluginError(reply.error.code, reply.error.message, { details: reply.error.details }));
      release(slot);
    });
    const fail = (reason: string): void => {
      if (!slots.delete(slot)) return;
      slot.job?.reject(new PluginError('INTERNAL', `the inspection worker ${reason}`));
      void worker.terminate();
      if (closed) return;
      // A new worker takes the place of the dead one, and what waits goes to it.
      const replacement = start();
      const next = waiting.shift();
      if (next === undefined) replacement.worker.unref();
      else run(replacement, next);
    };
    worker.on('error', (error) => fail(`failed: ${error.message}`));
    worker.on('exit', (code) => fail(`stopped (exit code ${code})`));
    return slot;
  };

  for (let index = 0; index < Math.max(1, options.size); index += 1) start().worker.unref();

  return {
    inspect(archive) {
      if (closed) return Promise.reject(new PluginError('UNAVAILABLE', 'the inspection pool is closed'));
      return new Promise<ArchiveInspection>((resolve, reject) => {
        const job: Job = {
          request: {
            id: nextId++,
            archive,
            validate: options.validate,
            extractionLimits: options.extractionLimits,
          },
          resolve,
          reject,
        };
        const idle = [...slots].find((slot) => slot.job === undefined);
        if (idle === undefined) waiting.push(job);
        else run(idle, job);
      });
    },
    async close() {
      closed = true;
      for (const job of waiting.splice(0))
        job.reject(new PluginError('UNAVAILABLE', 'the inspection pool is closed'));
      const all = [...slots];
      slots.clear();
      for (const slot of all)
        slot.job?.reject(new PluginError('UNAVAILABLE', 'the inspection pool is closed'));
      await Promise.all(all.map((slot) => slot.worker.terminate()));
    },
  };
}
