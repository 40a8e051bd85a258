// The scan worker's entry: parses and scans one file per message, off the thread that asked, so
// that no input can exhaust that thread's heap or stack or stall it (the host ends the worker).
import { parentPort } from 'node:worker_threads';
import { analyzeSource } from '../scan/scan-source';
import { checkCapabilityImplementations } from '../validate/check-capability-implementations';
import type { ScanReply, ScanRequest } from './scan-protocol';

const port = parentPort;
if (port === null) throw new Error('the scan worker runs in a worker thread');

function perform(request: ScanRequest): ScanReply {
  if (request.task === 'scan') {
    return { id: request.id, analysis: analyzeSource(request.code, request.filename, request.mode) };
  }
  const check = checkCapabilityImplementations({
    file: request.filename,
    source: request.code,
    declared: request.declared,
  });
  return { id: request.id, issues: check.issues };
}

port.on('message', (request: ScanRequest) => {
  let reply: ScanReply;
  try {
    reply = perform(request);
  } catch (error) {
    reply = { id: request.id, failure: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});
