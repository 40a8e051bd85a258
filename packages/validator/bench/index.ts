import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse } from '@babel/parser';
import type { Node } from '@babel/types';
import { VISITOR_KEYS } from '@babel/types';
import { PluginValidator } from '../src/index';
import { createParserOptions } from '../src/scan/parse-source';
import { analyzeSource } from '../src/scan/scan-source';
import { type CorpusFile, loadCorpus } from './corpus';

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function print(name: string, value: number, unit: string, baseline: number, ratio: number): void {
  const round = (number: number) => Math.round(number * 1000) / 1000;
  console.log(
    JSON.stringify({ name, value: round(value), unit, baseline: round(baseline), ratio: round(ratio) }),
  );
}

/** CPU milliseconds (user + system) used by this process: steadier than wall time on a shared machine. */
function cpuNow(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

function timeRawParse(corpus: readonly CorpusFile[]): number {
  const started = cpuNow();
  for (const file of corpus) {
    try {
      parse(file.code, createParserOptions(file.name));
    } catch {
      // A file the parser rejects costs what it cost; the scan pays the same.
    }
  }
  return cpuNow() - started;
}

/** A parse with @babel/parser's defaults (comments attached), only the syntax options the file needs. */
function timeDefaultParse(corpus: readonly CorpusFile[]): number {
  const started = cpuNow();
  for (const file of corpus) {
    const options = createParserOptions(file.name);
    try {
      parse(file.code, { sourceType: options.sourceType, plugins: options.plugins, errorRecovery: true });
    } catch {
      // As in timeRawParse.
    }
  }
  return cpuNow() - started;
}

/** Visits every node and does nothing: the least any AST scan must pay on top of the parse. */
function traverse(node: Node): void {
  const keys = VISITOR_KEYS[node.type];
  if (keys === undefined) return;
  const record = node as unknown as Record<string, unknown>;
  for (const key of keys) {
    const child = record[key];
    if (Array.isArray(child)) {
      for (const item of child) if (item !== null && typeof item === 'object') traverse(item as Node);
    } else if (child !== null && typeof child === 'object') {
      traverse(child as Node);
    }
  }
}

function timeParseAndTraverse(corpus: readonly CorpusFile[]): number {
  const started = cpuNow();
  for (const file of corpus) {
    try {
      traverse(parse(file.code, createParserOptions(file.name)).program);
    } catch {
      // As in timeRawParse.
    }
  }
  return cpuNow() - started;
}

function timeScan(corpus: readonly CorpusFile[]): number {
  const started = cpuNow();
  for (const file of corpus) analyzeSource(file.code, file.name);
  return cpuNow() - started;
}

async function benchScanThroughput(corpus: readonly CorpusFile[]): Promise<void> {
  const megabytes = corpus.reduce((sum, file) => sum + file.bytes, 0) / 1024 / 1024;
  timeRawParse(corpus);
  timeScan(corpus);
  timeParseAndTraverse(corpus);
  timeDefaultParse(corpus);
  const defaults: number[] = [];
  const raw: number[] = [];
  const traversed: number[] = [];
  const scan: number[] = [];
  for (let round = 0; round < 7; round++) {
    raw.push(timeRawParse(corpus));
    traversed.push(timeParseAndTraverse(corpus));
    defaults.push(timeDefaultParse(corpus));
    scan.push(timeScan(corpus));
  }
  const rawThroughput = megabytes / (median(raw) / 1000);
  const traverseThroughput = megabytes / (median(traversed) / 1000);
  const scanThroughput = megabytes / (median(scan) / 1000);
  print(
    `scan-throughput-vs-raw-babel-parse (${corpus.length} files, ${megabytes.toFixed(1)} MB, CPU time)`,
    scanThroughput,
    'MB/s',
    rawThroughput,
    scanThroughput / rawThroughput,
  );
  const defaultThroughput = megabytes / (median(defaults) / 1000);
  print(
    'scan-throughput-vs-babel-parse-with-default-options (attachComment on)',
    scanThroughput,
    'MB/s',
    defaultThroughput,
    scanThroughput / defaultThroughput,
  );
  print(
    'scan-throughput-vs-parse-plus-empty-traversal (the floor for any AST walk)',
    scanThroughput,
    'MB/s',
    traverseThroughput,
    scanThroughput / traverseThroughput,
  );
}

async function benchRevalidation(corpus: readonly CorpusFile[]): Promise<void> {
  const folder = await mkdtemp(join(tmpdir(), 'agentplug-validator-bench-'));
  try {
    await writeFile(
      join(folder, 'plugin.json'),
      JSON.stringify({
        plugin_id: 'com.example.bench',
        name: 'Bench',
        version: '1.0.0',
        description: 'the benchmark corpus as one plugin',
        author: 'bench',
        plugin_type: 'tool',
        entry_point: 'main',
      }),
    );
    await writeFile(join(folder, 'main.js'), 'export class Plugin {}\n');
    await mkdir(join(folder, 'lib'));
    await Promise.all(
      corpus.map((file, index) => {
        const extension = file.name.slice(file.name.lastIndexOf('.'));
        return writeFile(join(folder, 'lib', `${String(index).padStart(4, '0')}${extension}`), file.code);
      }),
    );
    const config = { maxFiles: 10_000, blockedCapabilities: [] };
    await new PluginValidator(config).validatePlugin(folder);
    const cold: number[] = [];
    for (let round = 0; round < 5; round++) {
      const validator = new PluginValidator(config);
      const started = performance.now();
      await validator.validatePlugin(folder);
      cold.push(performance.now() - started);
    }
    const validator = new PluginValidator(config);
    await validator.validatePlugin(folder);
    const cached: number[] = [];
    for (let round = 0; round < 15; round++) {
      const started = performance.now();
      await validator.validatePlugin(folder);
      cached.push(performance.now() - started);
    }
    const coldMs = median(cold);
    const cachedMs = median(cached);
    print(
      `revalidate-unchanged-cached-vs-cold-ms (ratio = speed-up; ${corpus.length} files)`,
      cachedMs,
      'ms',
      coldMs,
      coldMs / cachedMs,
    );
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

// All of it: a byte cap would keep an alphabetical prefix of the packages (a 3 MB cap kept 86 of
// 308), which over-weights a few of them.
const corpus = await loadCorpus();
await benchScanThroughput(corpus);
await benchRevalidation(corpus);
