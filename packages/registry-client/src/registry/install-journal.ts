import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseUntrustedJson } from '@agentplug/models';
import { canonicalizeJson } from '../protocol/canonicalize-json';
import type { LockFileEntry } from './lock-file';
import { writeFileAtomic } from './write-file-atomic';

/**
 * What an install wrote down before it started swapping folders: the lock file entry it replaces
 * (canonical JSON, `null` when there was none) and whether a previous folder was moved aside. The
 * lock file write is the commit point; recovery tells whether it happened by comparing the entry
 * now recorded with the one replaced, which works for a reinstall of the same version too.
 */
export interface InstallJournal {
  previousEntry: string;
  movedPrevious: boolean;
}

/** Largest journal read back (a few hundred bytes when written). */
const MAX_JOURNAL_BYTES = 64 * 1024;

/** The journal path of one plugin in a journal folder. */
export function getJournalPath(journalFolder: string, pluginId: string): string {
  return join(journalFolder, `${pluginId}.json`);
}

/** The canonical text of a lock file entry as journals record it (`null` for none). */
export function describeLockEntry(entry: LockFileEntry | undefined): string {
  return canonicalizeJson(entry ?? null);
}

/** Writes a plugin's journal atomically, before its install moves any folder. */
export async function writeInstallJournal(path: string, journal: InstallJournal): Promise<void> {
  await writeFileAtomic(
    path,
    JSON.stringify({ previous_entry: journal.previousEntry, moved_previous: journal.movedPrevious }),
  );
}

/** A journal read back, or undefined when it is missing or not one this code wrote. */
export async function readInstallJournal(path: string): Promise<InstallJournal | undefined> {
  try {
    const parsed = parseUntrustedJson(await readFile(path), {
      code: 'INSTALL_FAILED',
      what: path,
      maxBytes: MAX_JOURNAL_BYTES,
    }) as Record<string, unknown>;
    const { previous_entry: previousEntry, moved_previous: movedPrevious } = parsed;
    if (typeof previousEntry !== 'string' || typeof movedPrevious !== 'boolean') return undefined;
    return { previousEntry, movedPrevious };
  } catch {
    return undefined;
  }
}

/** Removes a plugin's journal once its install is committed or undone. */
export async function removeInstallJournal(path: string): Promise<void> {
  await rm(path, { force: true });
}
