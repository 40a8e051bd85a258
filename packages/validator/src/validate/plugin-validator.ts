import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  formatReasons,
  isRiskAbove,
  MANIFEST_FILE_NAME,
  PluginError,
  type PluginMetadata,
  type PluginMetadataInput,
  PluginValidationError,
  type PluginValidationResult,
  type PluginValidatorLike,
} from '@agentplug/models';
import { isScannedFile } from '../scan/parse-source';
import type { CapabilityUse, SourceAnalysis } from '../scan/scan-result';
import { analyzeSource, incompleteAnalysis, type ParseMode } from '../scan/scan-source';
import { IsolatedScanner } from '../worker/isolated-scanner';
import { checkCapabilityImplementations } from './check-capability-implementations';
import { checkConfigValues } from './check-config-values';
import { checkMetadata } from './check-metadata';
import { checkStructure } from './check-structure';
import { collectPluginFiles, type PluginFileEntry } from './collect-plugin-files';
import { computeSecurityScore } from './compute-security-score';
import { crossCheckPermissions, type LocatedImport } from './cross-check-permissions';
import { describeLayout, findMoreCodeFiles, findOutsideCodeLoads } from './find-code-files';
import { type ResolvedSecurityConfig, resolveSecurityConfig, type SecurityConfig } from './security-config';
import { formatIssue, type ValidationIssue } from './validation-issue';

/** The validator's verdict: the models' result plus every issue with its code and location. */
export interface ValidatePluginResult extends PluginValidationResult {
  /** Every error and warning with a stable code; `errors` and `warnings` are these, formatted. */
  issues: ValidationIssue[];
}

/** How many file scans and verdicts a validator keeps. */
const MAX_CACHED_SCANS = 20_000;
const MAX_CACHED_RESULTS = 256;

/** How many files are read at once: well under the usual limit of open file descriptors. */
const MAX_OPEN_FILES = 64;

/** Maps `items` with at most `limit` calls in flight, keeping the order. */
async function mapWithConcurrency<Item, Result>(
  items: readonly Item[],
  limit: number,
  map: (item: Item) => Promise<Result>,
): Promise<Result[]> {
  const results: Result[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function hashOf(content: Buffer | string): string {
  return createHash('sha256').update(content).digest('hex');
}

function remember<Value>(cache: Map<string, Value>, key: string, value: Value, limit: number): void {
  if (cache.size >= limit) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(key, value);
}

/** A file to scan or hash; `content` is read only when it is needed. */
interface ReadFile {
  entry: PluginFileEntry;
  content: Buffer | undefined;
  hash: string;
  /** Why the file could not be read, when it could not. */
  unreadable?: string;
}

/** A file's content hash, remembered with the stat data it was computed under. */
interface KnownHash {
  changeKey: string;
  hash: string;
}

/**
 * Validates plugin folders: structure, manifest, an AST scan of the code, the permission
 * cross-check and the seed's security score. Scans and verdicts are cached by content hash
 * (sha256), and a file whose inode, size and change times are unchanged keeps its hash without
 * being read again, so validating an unchanged plugin again costs about one folder walk.
 *
 * @example
 * const validator = new PluginValidator({ maxFileSizeMb: 50, blockedImports: ['child_process'] });
 * const result = await validator.validatePlugin('/plugins/calculator');
 * if (!result.valid) console.error(formatValidationReport(result));
 */
export class PluginValidator implements PluginValidatorLike {
  /** The settings in force, defaults filled. */
  readonly config: ResolvedSecurityConfig;
  private readonly configKey: string;
  private readonly scans = new Map<string, SourceAnalysis>();
  private readonly results = new Map<string, ValidatePluginResult>();
  private readonly hashes = new Map<string, KnownHash>();
  /** The scan worker, started on the first scan when `scanIsolation` is `'worker'`. */
  private scanner: IsolatedScanner | undefined;
  private closed = false;

  /** @throws PluginError INVALID_ARGUMENT when the config has a value of the wrong type or range */
  constructor(securityConfig: SecurityConfig = {}) {
    this.config = resolveSecurityConfig(securityConfig);
    this.configKey = JSON.stringify(this.config);
  }

  /** Forgets every cached scan and verdict. */
  clearCache(): void {
    this.scans.clear();
    this.results.clear();
    this.hashes.clear();
  }

  /**
   * Ends the scan worker. Optional: an idle worker never keeps a process alive; a validator used
   * after `close` answers every scan as incomplete.
   */
  async close(): Promise<void> {
    this.closed = true;
    await this.scanner?.close();
  }

  /**
   * Validates the plugin folder at `pluginPath`. `metadata`, when given, is checked instead of
   * the folder's plugin.json (which must still exist). Never throws for a bad plugin: problems
   * are in the result.
   * @throws PluginError INVALID_ARGUMENT when `pluginPath` is not a non-empty string
   */
  async validatePlugin(
    pluginPath: string,
    metadata?: PluginMetadata | PluginMetadataInput,
  ): Promise<ValidatePluginResult> {
    if (typeof pluginPath !== 'string' || pluginPath.length === 0) {
      throw new PluginError('INVALID_ARGUMENT', 'pluginPath must be a non-empty string');
    }
    const root = resolve(pluginPath);
    const folder = await stat(root).catch(() => undefined);
    if (folder === undefined || !folder.isDirectory()) {
      return this.finish(
        [
          {
            code: 'PLUGIN_FOLDER_NOT_FOUND',
            severity: 'error',
            message: `${root} ${folder === undefined ? 'does not exist' : 'is not a folder'}`,
          },
        ],
        [],
        undefined,
      );
    }

    const collected = await collectPluginFiles(root, this.config.maxFiles);
    const maxBytes = this.config.maxFileSizeMb * 1024 * 1024;
    const toRead = collected.entries.filter(
      (entry) =>
        entry.kind === 'file' &&
        entry.size <= maxBytes &&
        (isScannedFile(entry.relativePath) ||
          entry.relativePath === MANIFEST_FILE_NAME ||
          entry.relativePath === 'config.json' ||
          entry.relativePath.endsWith('package.json')),
    );
    const read = await mapWithConcurrency(toRead, MAX_OPEN_FILES, (entry) => this.hashFile(entry));

    let resultKey: string | undefined;
    if (this.config.cache) {
      const fingerprint = createHash('sha256');
      fingerprint.update(this.configKey).update('\u0000').update(root).update('\u0000');
      fingerprint.update(metadata === undefined ? '-' : JSON.stringify(metadata)).update('\u0000');
      fingerprint.update(collected.truncated ? 'truncated' : 'complete');
      const hashes = new Map(read.map((file) => [file.entry.relativePath, file.hash]));
      for (const entry of collected.entries) {
        fingerprint.update(
          `\u0000${entry.relativePath}\u0001${entry.kind}\u0001${entry.size}\u0001${entry.linkTarget ?? ''}\u0001${entry.linkInside ?? ''}\u0001${hashes.get(entry.relativePath) ?? ''}`,
        );
      }
      resultKey = fingerprint.digest('hex');
      const cached = this.results.get(resultKey);
      if (cached !== undefined) return structuredClone(cached);
    }

    const metadataCheck = await checkMetadata(root, metadata);
    const manifest = metadataCheck.manifest;
    const packageJsons = new Map<string, string>();
    for (const file of read) {
      const name = file.entry.relativePath;
      if ((name === 'package.json' || name.endsWith('/package.json')) && file.unreadable === undefined) {
        packageJsons.set(name, (await this.contentOf(file)).toString('utf8'));
      }
    }
    const structure = checkStructure({
      collected,
      config: this.config,
      entryPoint: manifest?.entry_point,
      packageJsons,
    });

    // The entry's capability check goes to the scan worker now, beside the files' scans: one
    // round trip per plugin, not two in a row.
    const declarations = this.checkDeclarations(read, manifest, structure.entryFile);
    declarations.catch(() => undefined);

    const uses: CapabilityUse[] = [...structure.uses];
    const imports: LocatedImport[] = [];
    const scanned = new Set<string>();
    const byName = new Map(read.map((file) => [file.entry.relativePath, file]));
    const layout = describeLayout(collected, packageJsons);
    const codeFile = (name: string) =>
      byName.get(name) ?? this.unreadFile(collected.entries.find((entry) => entry.relativePath === name)!);
    // Scripts by their extension; files that links and package.json fields make code, as CommonJS.
    const scripts = read.filter((file) => isScannedFile(file.entry.relativePath));
    let toScan: { file: ReadFile; mode: ParseMode }[] = [
      ...scripts.map((file) => ({ file, mode: 'by-extension' as const })),
      ...findMoreCodeFiles([], layout, new Set()).map((name) => ({
        file: codeFile(name),
        mode: 'commonjs' as const,
      })),
    ];
    // Files code requires by name are code whatever their extension: scan those too, until no new one.
    while (toScan.length > 0) {
      // All at once: the scan worker takes them in order without a round trip each.
      const analyses = await Promise.all(toScan.map((item) => this.scanFile(item.file, item.mode)));
      for (const [index, analysis] of analyses.entries()) {
        const name = toScan[index]!.file.entry.relativePath;
        scanned.add(name);
        uses.push(...analysis.uses);
        for (const record of analysis.imports) imports.push({ ...record, file: name });
      }
      toScan = findMoreCodeFiles(imports, layout, scanned).map((name) => ({
        file: codeFile(name),
        mode: 'commonjs' as const,
      }));
    }
    uses.push(...findOutsideCodeLoads(imports));

    const issues: ValidationIssue[] = [...structure.issues, ...metadataCheck.issues];
    if (
      !collected.entries.some((entry) => entry.relativePath === MANIFEST_FILE_NAME && entry.kind === 'file')
    ) {
      if (!issues.some((issue) => issue.code === 'MANIFEST_NOT_FOUND')) {
        issues.push({
          code: 'MANIFEST_NOT_FOUND',
          severity: 'error',
          file: MANIFEST_FILE_NAME,
          message: 'plugin.json is missing from the plugin folder',
        });
      }
    }
    for (const use of uses) {
      if (use.finding.code === 'SCAN_INCOMPLETE') {
        issues.push({
          code: 'SCAN_INCOMPLETE',
          severity: 'error',
          file: use.finding.file,
          line: use.finding.line,
          column: use.finding.column,
          message: `${use.finding.message}; code the scan could not read could do anything, so the plugin is refused`,
        });
      }
    }
    issues.push(
      ...crossCheckPermissions({ uses, imports, permissions: manifest?.permissions, config: this.config }),
      ...(await declarations),
    );
    const result = this.finish(issues, uses, manifest);
    if (resultKey !== undefined) {
      remember(this.results, resultKey, result, MAX_CACHED_RESULTS);
      return structuredClone(result);
    }
    return result;
  }

  /** Declared capabilities the entry's code does not implement, and configuration breaking config_schema. */
  private async checkDeclarations(
    read: readonly ReadFile[],
    manifest: PluginMetadata | undefined,
    entryFile: string | undefined,
  ): Promise<ValidationIssue[]> {
    if (manifest === undefined) return [];
    const textOf = async (name: string | undefined): Promise<string | undefined> => {
      const file = read.find((candidate) => candidate.entry.relativePath === name);
      if (file === undefined || file.unreadable !== undefined) return undefined;
      return (await this.contentOf(file).catch(() => undefined))?.toString('utf8');
    };
    const issues = checkConfigValues({
      configSchema: manifest.config_schema,
      configText: await textOf('config.json'),
    });
    const source = await textOf(entryFile);
    if (entryFile !== undefined && source !== undefined && !this.closed) {
      const declared = manifest.capabilities.map((capability) => capability.name);
      // Parsing the entry is untrusted work too: in the scan worker unless scanIsolation is 'none'.
      issues.push(
        ...(this.config.scanIsolation === 'none'
          ? checkCapabilityImplementations({ file: entryFile, source, declared }).issues
          : await this.isolatedScanner().checkCapabilities(source, entryFile, declared)),
      );
    }
    return issues;
  }

  /**
   * Validates like {@link PluginValidator.validatePlugin} and throws when the plugin is not valid.
   * @throws PluginValidationError VALIDATION_FAILED, carrying the full result
   */
  async assertPluginValid(
    pluginPath: string,
    metadata?: PluginMetadata | PluginMetadataInput,
  ): Promise<ValidatePluginResult> {
    const result = await this.validatePlugin(pluginPath, metadata);
    if (!result.valid) {
      throw new PluginValidationError(
        formatReasons(`${pluginPath} failed validation`, result.errors),
        result,
        { details: { pluginPath, errors: result.errors } },
      );
    }
    return result;
  }

  /**
   * Hashes a file's content. When the file's stat data (inode, size, change times) is what it
   * was when this validator last hashed it, the remembered hash is reused without reading.
   */
  private async hashFile(entry: PluginFileEntry): Promise<ReadFile> {
    try {
      if (!this.config.cache) return { entry, content: await readFile(entry.absolutePath), hash: '' };
      const known = this.hashes.get(entry.absolutePath);
      if (known !== undefined && known.changeKey === entry.changeKey)
        return { entry, content: undefined, hash: known.hash };
      const content = await readFile(entry.absolutePath);
      const hash = hashOf(content);
      remember(this.hashes, entry.absolutePath, { changeKey: entry.changeKey, hash }, MAX_CACHED_SCANS);
      return { entry, content, hash };
    } catch (error) {
      return { entry, content: undefined, hash: '', unreadable: messageOf(error) };
    }
  }

  /** A file found to be code only after the first pass (so not read then): read when scanned. */
  private unreadFile(entry: PluginFileEntry): ReadFile {
    return { entry, content: undefined, hash: '' };
  }

  private async contentOf(file: ReadFile): Promise<Buffer> {
    file.content ??= await readFile(file.entry.absolutePath);
    return file.content;
  }

  /**
   * Scans one file, in the scan worker unless `scanIsolation` is `'none'`. A file that cannot be
   * read, or whose scan stopped short, is a SCAN_INCOMPLETE analysis (never cached: a time limit
   * hit on a busy machine may not be hit again).
   */
  private async scanFile(file: ReadFile, mode: ParseMode): Promise<SourceAnalysis> {
    const name = file.entry.relativePath;
    if (this.closed) return incompleteAnalysis(name, 'the validator was closed');
    if (file.unreadable !== undefined)
      return incompleteAnalysis(name, `it could not be read: ${file.unreadable}`);
    const key = `${file.hash}\u0000${name}\u0000${mode}`;
    const cached = this.config.cache && file.hash !== '' ? this.scans.get(key) : undefined;
    if (cached !== undefined) return cached;
    let code: string;
    try {
      code = (await this.contentOf(file)).toString('utf8');
    } catch (error) {
      return incompleteAnalysis(name, `it could not be read: ${messageOf(error)}`);
    }
    const analysis =
      this.config.scanIsolation === 'none'
        ? analyzeSource(code, name, mode)
        : await this.isolatedScanner().scan(code, name, mode);
    const incomplete = analysis.uses.some((use) => use.finding.code === 'SCAN_INCOMPLETE');
    if (this.config.cache && file.hash !== '' && !incomplete)
      remember(this.scans, key, analysis, MAX_CACHED_SCANS);
    return analysis;
  }

  private isolatedScanner(): IsolatedScanner {
    this.scanner ??= new IsolatedScanner({
      memoryMb: this.config.scanMemoryMb,
      timeoutMs: this.config.scanTimeoutMs,
    });
    return this.scanner;
  }

  private finish(
    issues: ValidationIssue[],
    uses: readonly CapabilityUse[],
    manifest: PluginMetadata | undefined,
  ): ValidatePluginResult {
    const score = computeSecurityScore({ uses, permissions: manifest?.permissions });
    if (isRiskAbove(score.riskLevel, this.config.maxRiskLevel)) {
      issues.push({
        code: 'RISK_TOO_HIGH',
        severity: 'error',
        message: `the risk level is ${score.riskLevel} (security score ${score.securityScore}/100), worse than the allowed maximum ${this.config.maxRiskLevel} (maxRiskLevel)`,
      });
    }
    const errors = issues.filter((issue) => issue.severity === 'error');
    const warnings = issues.filter((issue) => issue.severity === 'warning');
    return {
      valid: errors.length === 0,
      errors: errors.map(formatIssue),
      warnings: warnings.map(formatIssue),
      securityScore: score.securityScore,
      riskLevel: score.riskLevel,
      findings: uses.map((use) => use.finding),
      scoreBreakdown: score.scoreBreakdown,
      issues: [...errors, ...warnings],
    };
  }
}
