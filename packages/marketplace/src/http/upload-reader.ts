import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { PluginError } from '@agentplug/models';

/** Bytes of an upload held in memory before the rest goes to a spool file, by default (1 MiB). */
export const DEFAULT_UPLOAD_MEMORY_BYTES: number = 1024 * 1024;

/** Options of {@link createUploadReader}. */
export interface UploadReaderOptions {
  /** Largest upload accepted, in bytes. */
  maxBytes: number;
  /** Uploads received at once; one more is answered UNAVAILABLE (503) with Retry-After. */
  maxConcurrent: number;
  /** Where uploads past `memoryBytes` are spooled while they arrive. */
  spoolDirectory: string;
  /** Bytes of one upload held in memory while it arrives; past them it spills to a spool file. Default 1 MiB. */
  memoryBytes?: number;
  /** Longest wait for the next bytes of an upload before it is refused with TIMEOUT. Default 15 s. */
  stallTimeoutMs?: number;
}

/** Reads uploads: counted while they arrive (small ones in memory, larger ones spooled to disk), then handed over whole. */
export interface UploadReader {
  /**
   * Receives one upload from `caller` (who sent it: a publisher, the operator token).
   * @throws PluginError TOO_LARGE, UNAVAILABLE (too many uploads at once, or given up to another caller), TIMEOUT (the body stalled)
   */
  read(request: IncomingMessage, caller: string): Promise<Buffer>;
  /** Uploads being received now. */
  readonly active: number;
}

interface ActiveUpload {
  caller: string;
  /** Stops receiving this upload; its `read` fails with `error`. */
  abort(error: PluginError): void;
}

function unavailable(message: string): PluginError {
  return new PluginError('UNAVAILABLE', message, { details: { retryAfterSeconds: 1 } });
}

/**
 * The upload to give up so `caller` can have a slot when all are taken: the newest upload of the
 * caller holding the most slots, when that is another caller holding more than `caller` and more
 * than one. So one caller may use every slot while nobody else uploads, and never keep another out.
 */
function chooseUploadToYield(uploads: ReadonlySet<ActiveUpload>, caller: string): ActiveUpload | undefined {
  const held = new Map<string, ActiveUpload[]>();
  for (const upload of uploads) {
    const list = held.get(upload.caller) ?? [];
    list.push(upload);
    held.set(upload.caller, list);
  }
  const own = held.get(caller)?.length ?? 0;
  let busiest: ActiveUpload[] | undefined;
  for (const [holder, list] of held) {
    if (holder !== caller && list.length > (busiest?.length ?? 0)) busiest = list;
  }
  if (busiest === undefined || busiest.length < 2 || busiest.length <= own + 1) return undefined;
  return busiest[busiest.length - 1];
}

/** Where a body being received goes. */
interface ReceiveOptions {
  maxBytes: number;
  stallTimeoutMs: number;
  /** Bytes held in memory; past them everything goes to `path`. */
  memoryBytes: number;
  path: string;
}

/**
 * Receives a request body, counting and watching for stalls, until it ends or the registered abort
 * is called. It answers the bytes when they stayed within `memoryBytes`; past that they went to
 * `path` (`spilled` tells the caller to read and remove it).
 */
function receive(
  request: IncomingMessage,
  options: ReceiveOptions,
  spilled: { file: boolean },
  register: (abort: (error: PluginError) => void) => void,
): Promise<Buffer | undefined> {
  return new Promise<Buffer | undefined>((resolve, reject) => {
    let held: Buffer[] = [];
    let heldBytes = 0;
    let file: WriteStream | undefined;
    let total = 0;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (error: PluginError | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      if (error === undefined) {
        if (file === undefined) resolve(held.length === 1 ? held[0] : Buffer.concat(held, heldBytes));
        else file.end(() => resolve(undefined));
        return;
      }
      held = [];
      // Whatever else the client sends is read and dropped, so it gets the answer instead of a reset.
      request.resume();
      if (file === undefined) {
        reject(error);
        return;
      }
      // Rejected once the spool file is closed, so the caller's removal of it comes after its creation.
      file.once('close', () => reject(error));
      file.destroy();
    };
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(
        () =>
          finish(
            new PluginError(
              'TIMEOUT',
              `the upload sent nothing for ${options.stallTimeoutMs} ms; send it again on a working connection`,
              { details: { stallTimeoutMs: options.stallTimeoutMs } },
            ),
          ),
        options.stallTimeoutMs,
      );
    };
    // The first bytes past `memoryBytes` open the spool file and move what was held into it.
    const spill = (): WriteStream => {
      const opened = createWriteStream(options.path, { mode: 0o600 });
      spilled.file = true;
      opened.once('error', (error) =>
        finish(new PluginError('INTERNAL', 'the upload cannot be spooled to disk', { cause: error })),
      );
      if (heldBytes > 0) opened.write(Buffer.concat(held, heldBytes));
      held = [];
      heldBytes = 0;
      return opened;
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > options.maxBytes) {
        finish(
          new PluginError('TOO_LARGE', `the upload exceeds ${options.maxBytes} bytes`, {
            details: { maxBytes: options.maxBytes },
          }),
        );
        return;
      }
      if (file === undefined && heldBytes + chunk.length <= options.memoryBytes) {
        held.push(chunk);
        heldBytes += chunk.length;
        arm();
        return;
      }
      file ??= spill();
      if (!file.write(chunk)) {
        // The disk is behind: waiting for it is not the client stalling.
        clearTimeout(timer);
        request.pause();
        file.once('drain', () => {
          if (settled) return;
          arm();
          request.resume();
        });
        return;
      }
      arm();
    };
    const onEnd = (): void => finish(undefined);
    const onError = (error: Error): void =>
      finish(new PluginError('NETWORK_ERROR', 'the upload was cut off', { cause: error }));
    register(finish);
    request.on('data', onData);
    request.once('end', onEnd);
    request.once('error', onError);
    arm();
  });
}

/**
 * Makes the upload reader of a server. While an upload arrives, its first `memoryBytes` are held
 * in memory and the rest goes to a spool file, so a slow client holds at most that much memory and
 * a file handle, and a plugin archive of a few kilobytes never touches the disk. Only a complete
 * upload under the cap is handed over whole for inspection (so memory is bounded by
 * `maxConcurrent` × `maxBytes`). An upload that stalls is refused, and when
 * every slot is taken, a caller holding several yields its newest to a caller holding fewer, so one
 * publisher's slow uploads cannot keep every other publisher out.
 */
export function createUploadReader(options: UploadReaderOptions): UploadReader {
  const uploads = new Set<ActiveUpload>();
  const stallTimeoutMs = options.stallTimeoutMs ?? 15_000;
  const memoryBytes = Math.min(options.memoryBytes ?? DEFAULT_UPLOAD_MEMORY_BYTES, options.maxBytes);
  let spool: Promise<unknown> | undefined;
  return {
    get active() {
      return uploads.size;
    },
    async read(request, caller) {
      const declared = Number(request.headers['content-length'] ?? Number.NaN);
      if (Number.isFinite(declared) && declared > options.maxBytes) {
        throw new PluginError(
          'TOO_LARGE',
          `the upload is ${declared} bytes; at most ${options.maxBytes} are accepted`,
          {
            details: { maxBytes: options.maxBytes },
          },
        );
      }
      spool ??= mkdir(options.spoolDirectory, { recursive: true });
      await spool;
      // From here to `uploads.add` nothing awaits: the count checked is the count taken.
      if (uploads.size >= options.maxConcurrent) {
        const yielding = chooseUploadToYield(uploads, caller);
        if (yielding === undefined) {
          throw unavailable(`the server is receiving ${uploads.size} uploads; try again shortly`);
        }
        yielding.abort(
          unavailable('the server needs this upload slot for another publisher; send it again shortly'),
        );
      }
      const upload: ActiveUpload = { caller, abort: () => undefined };
      uploads.add(upload);
      const path = join(options.spoolDirectory, `upload-${process.pid}-${randomBytes(8).toString('hex')}`);
      const spilled = { file: false };
      try {
        const received = await receive(
          request,
          { maxBytes: options.maxBytes, stallTimeoutMs, memoryBytes, path },
          spilled,
          (abort) => {
            upload.abort = (error) => {
              uploads.delete(upload);
              abort(error);
            };
          },
        );
        return received ?? (await readFile(path));
      } finally {
        uploads.delete(upload);
        if (spilled.file) await rm(path, { force: true });
      }
    },
  };
}
