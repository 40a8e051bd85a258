import type { PluginErrorCode } from '@agentplug/models';
import type { ExtractionLimits } from '@agentplug/registry-client';
import type { ArchiveInspection } from './inspect-archive';

/** What the pool sends an inspection worker: one archive (a copy) and how to inspect it. */
export interface InspectionRequest {
  id: number;
  archive: Uint8Array;
  /** Whether to run the default validator (the worker's own). */
  validate: boolean;
  extractionLimits: ExtractionLimits | undefined;
}

/** What an inspection worker answers: the inspection, or the refusal as plain data. */
export type InspectionReply =
  | { id: number; inspection: ArchiveInspection }
  | { id: number; error: { code: PluginErrorCode; message: string; details: Record<string, unknown> } };
