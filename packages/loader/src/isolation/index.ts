export { createWorkerHost } from './create-worker-host';
