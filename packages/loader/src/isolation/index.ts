export { createWorkerHost } from './create-worker-host';
export { createProcessHost } from './process/create-process-host';
export { detectOsSandbox, type OsSandboxStatus } from './process/detect-os-sandbox';
