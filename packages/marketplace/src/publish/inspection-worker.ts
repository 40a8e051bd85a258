// The inspection worker: inspects one archive at a time for the pool (inspection-pool.ts), off the
// server's event loop. Its validator, when asked for, is its own default one.
import { parentPort } from 'node:worker_threads';
import { PluginError, type PluginValidatorLike } from '@agentplug/models';
import { createDefaultValidator } from './default-validator';
import { inspectArchive } from './inspect-archive';
import type { InspectionReply, InspectionRequest } from './inspection-protocol';

let validator: Promise<PluginValidatorLike> | undefined;

function send(reply: InspectionReply): void {
  try {
    parentPort?.postMessage(reply);
  } catch {
    // Details that cannot cross threads: the code and message still do.
    if ('error' in reply) parentPort?.postMessage({ ...reply, error: { ...reply.error, details: {} } });
  }
}

parentPort?.on('message', (request: InspectionRequest) => {
  void (async () => {
    try {
      if (request.validate) validator ??= createDefaultValidator();
      const inspection = await inspectArchive(
        Buffer.from(request.archive.buffer, request.archive.byteOffset, request.archive.byteLength),
        {
          validator: request.validate ? await validator : undefined,
          extractionLimits: request.extractionLimits,
        },
      );
      send({ id: request.id, inspection });
    } catch (error) {
      send({
        id: request.id,
        error: PluginError.is(error)
          ? { code: error.code, message: error.message, details: error.details }
          : { code: 'INTERNAL', message: `inspection failed: ${String(error)}`, details: {} },
      });
    }
  })();
});
