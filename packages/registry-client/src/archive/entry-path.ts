import { PluginError } from '@agentplug/models';

/** Longest entry path an archive may hold, in UTF-8 bytes (far above any plugin's, far below PATH_MAX). */
export const MAX_ENTRY_PATH_BYTES = 1024;

/** Most folders an entry path may go down (a plugin's tree is shallow; checks per entry stay cheap). */
export const MAX_ENTRY_PATH_SEGMENTS = 64;

/** Longest name of one file or folder, in UTF-8 bytes (NAME_MAX on common disks). */
const MAX_SEGMENT_BYTES = 255;

const WINDOWS_RESERVED = new Set(['<', '>', ':', '"', '|', '?', '*', '\\']);

/** Control characters (C0, DEL, C1) and what Windows refuses in a name (`<>:"|?*`, and `\` as a separator). */
function hasForbiddenCharacter(raw: string): boolean {
  for (const character of raw) {
    const code = character.charCodeAt(0);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || WINDOWS_RESERVED.has(character)) return true;
  }
  return false;
}

// Names Windows maps to devices, with or without an extension.
const WINDOWS_DEVICE_NAME = /^(?:con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(?:\..*)?$/i;

function unsafe(message: string, path: string): PluginError {
  return new PluginError('ARCHIVE_UNSAFE', message, { details: { path: path.slice(0, 200) } });
}

function describe(raw: string): string {
  return JSON.stringify(raw.length > 80 ? `${raw.slice(0, 77)}...` : raw);
}

function checkSegment(segment: string, raw: string): void {
  if (Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES) {
    throw unsafe(`${describe(raw)} has a name longer than ${MAX_SEGMENT_BYTES} bytes`, raw);
  }
  if (segment.endsWith('.') || segment.endsWith(' ')) {
    // Windows drops a trailing dot or space: "plugin.json." would be plugin.json there.
    throw unsafe(`${describe(raw)} has a name ending in a dot or a space`, raw);
  }
  if (WINDOWS_DEVICE_NAME.test(segment)) throw unsafe(`${describe(raw)} names a Windows device`, raw);
  // Compatibility forms (fullwidth "．．", "／") read as dots and separators to some tools.
  const compatible = segment.normalize('NFKC');
  if (compatible === '..' || compatible === '.' || /[/\\]/.test(compatible)) {
    throw unsafe(`${describe(raw)} has a name that reads as a dot or a separator`, raw);
  }
}

/**
 * The one rule for a path inside a plugin archive, used by the packer and the extractor alike:
 * relative, forward slashes, no `..`, no control or Windows-reserved characters, no names a disk
 * would alias (trailing dots or spaces, device names, compatibility dots), at most
 * {@link MAX_ENTRY_PATH_BYTES} bytes and {@link MAX_ENTRY_PATH_SEGMENTS} levels. Returns the path
 * without `.` segments and repeated slashes; a folder entry may name the root (`./`), then `''`.
 * @throws PluginError ARCHIVE_UNSAFE
 * @example
 * normalizeEntryPath('./lib/index.js'); // 'lib/index.js'
 */
export function normalizeEntryPath(raw: string, options: { folder?: boolean } = {}): string {
  if (raw.includes('\0')) throw unsafe('an entry name contains a NUL byte', raw);
  if (raw.startsWith('/') || /^[A-Za-z]:/.test(raw))
    throw unsafe(`${describe(raw)} is an absolute path`, raw);
  if (hasForbiddenCharacter(raw)) {
    throw unsafe(`${describe(raw)} contains a backslash, a control character or one of <>:"|?*`, raw);
  }
  // Checked before splitting, so a hostile path costs one pass whatever its depth.
  if (Buffer.byteLength(raw, 'utf8') > MAX_ENTRY_PATH_BYTES) {
    throw unsafe(`${describe(raw)} is longer than ${MAX_ENTRY_PATH_BYTES} bytes`, raw);
  }
  const segments = raw.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) throw unsafe(`${describe(raw)} contains a ".." segment`, raw);
  if (segments.length > MAX_ENTRY_PATH_SEGMENTS) {
    throw unsafe(`${describe(raw)} is nested deeper than ${MAX_ENTRY_PATH_SEGMENTS} levels`, raw);
  }
  for (const segment of segments) checkSegment(segment, raw);
  if (segments.length === 0 && options.folder !== true) throw unsafe(`${describe(raw)} names no file`, raw);
  return segments.join('/');
}

/**
 * The key under which two entry paths land on the same file of a case-insensitive or
 * normalising disk (macOS, Windows): `Plugin.json` and `plugin.json`, or `é` composed and
 * decomposed, share one key.
 */
export function entryPathKey(path: string): string {
  return path.normalize('NFKC').toLowerCase();
}

/**
 * Remembers every file and folder an archive names, by the key a case-insensitive, normalising
 * disk would give it ({@link entryPathKey}), so two entries that would land on one file there
 * are refused on every disk, and a path is never both a file and a folder.
 */
export class EntryPaths {
  private readonly files = new Map<string, string>();
  private readonly folders = new Map<string, string>();

  /**
   * Records a normalised file path.
   * @throws PluginError ARCHIVE_UNSAFE (a duplicate, a case or normalisation twin, a file that is also a folder)
   */
  add(path: string): void {
    const key = entryPathKey(path);
    const clash = this.files.get(key);
    if (clash !== undefined) {
      throw unsafe(
        clash === path
          ? `"${path}" appears twice in the archive`
          : `"${path}" and "${clash}" name the same file on a case-insensitive disk`,
        path,
      );
    }
    if (this.folders.has(key)) throw unsafe(`"${path}" is both a file and a folder`, path);
    // Each folder on the way down, shortest first: a path of n levels costs n steps.
    let end = path.indexOf('/');
    while (end !== -1) {
      const folder = path.slice(0, end);
      const folderKey = entryPathKey(folder);
      if (this.files.has(folderKey)) throw unsafe(`"${folder}" is both a file and a folder`, path);
      const known = this.folders.get(folderKey);
      if (known === undefined) this.folders.set(folderKey, folder);
      else if (known !== folder) {
        throw unsafe(`"${folder}" and "${known}" name the same folder on a case-insensitive disk`, path);
      }
      end = path.indexOf('/', end + 1);
    }
    this.files.set(key, path);
  }
}
