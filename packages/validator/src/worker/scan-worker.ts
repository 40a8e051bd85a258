// The scan worker's entry: scans one file per message, off the thread that asked for it, so
// that no input can exhaust that thread's heap or stack or stall it (the host ends the worker).
import { parentPort } from 'node:worker_threads';
import { analyzeSource } from '../scan/scan-source';
import type { ScanReply, ScanRequest } from './scan-protocol';

const port = parentPort;
if (port === null) throw new Error('the scan worker runs in a worker thread');

port.on('message', (request: ScanRequest) => {
  let reply: ScanReply;
  try {
    reply = { id: request.id, analysis: analyzeSource(request.code, request.filename, request.mode) };
  } catch (error) {
    reply = { id: request.id, failure: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});
