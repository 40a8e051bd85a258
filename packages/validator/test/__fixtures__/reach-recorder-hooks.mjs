// Module hooks of reach-recorder.cjs: ESM resolves data: URLs here, off the main thread.
import { appendFileSync } from 'node:fs';

let logPath;

export function initialize(data) {
  logPath = data.logPath;
}

export async function resolve(specifier, context, next) {
  if (specifier.startsWith('data:')) appendFileSync(logPath, `eval\timport ${specifier.slice(0, 100)}\n`);
  return next(specifier, context);
}
