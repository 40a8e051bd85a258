/** An error as it crosses the worker boundary. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
  details?: Record<string, unknown>;
  cause?: SerializedError;
}

/** Host to worker: call a method (`optional`: resolve undefined when the plugin lacks it). */
export interface CallMessage {
  id: number;
  method: string;
  args: readonly unknown[];
  optional: boolean;
}

/** Worker to host, on the call port. */
export type WorkerMessage =
  | { type: 'booted' }
  | { type: 'ready'; methods: string[] }
  | { type: 'load-failed'; error: SerializedError }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: SerializedError }
  | PermissionMessage;

/** Worker (or its module hooks thread) to host: one permission check. */
export interface PermissionMessage {
  type: 'permission';
  capability: string;
  target: string;
  allowed: boolean;
}
