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
import { benchPrecision } from './precision';
import { median, print } from './report';
import { benchWorkerHop } from './worker-hop';

/** CPU milliseconds (user + system) used by this process: steadier than wall time on a shared machine. */
function cpuNow(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

function parseRaw(file: CorpusFile): void {
  try {
    parse(file.code, createParserOptions(file.name));
  } catch {
    // A file the parser rejects costs what it cost; the scan pays the same.
  }
}

/** A parse with @babel/parser's defaults (comments attached), only the syntax options the file needs. */
function parseWithDefaults(file: CorpusFile): void {
  const options = createParserOptions(file.name);
  try {
    parse(file.code, { sourceType: options.sourceType, plugins: options.plugins, errorRecovery: true });
  } catch {
    // As in parseRaw.
  }
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

function parseAndTraverse(file: CorpusFile): void {
  try {
    traverse(parse(file.code, createParserOptions(file.name)).program);
  } catch {
    // As in parseRaw.
  }
}

function scan(file: CorpusFile): void {
  analyzeSource(file.code, file.name);
}

/** What the bench times on each file; the scan is last, the others are its baselines. */
const MEASURES = [parseRaw, parseWithDefaults, parseAndTraverse, scan] as const;
const SCAN = 3;

/**
 * One pass over the corpus that runs every measure on each file in turn, the order rotating from
 * file to file: a slower spell of the shared machine, and the garbage one measure leaves for the
 * next to collect, fall on all measures alike. Returns the CPU milliseconds of each measure.
 */
function timePairedPass(corpus: readonly CorpusFile[], round: number): number[] {
  const totals = MEASURES.map(() => 0);
  for (let index = 0; index < corpus.length; index++) {
    const file = corpus[index]!;
    for (let step = 0; step < MEASURES.length; step++) {
      const measure = (index + round + step) % MEASURES.length;
      const started = cpuNow();
      MEASURES[measure]!(file);
      totals[measure]! += cpuNow() - started;
    }
  }
  return totals;
}

// V8 keeps re-optimizing the scanner's large visitor (and the parser) for a few passes;
// measured rounds start once both have settled.
const WARM_UP_ROUNDS = 3;
const MEASURED_ROUNDS = 7;

/** Prints the scan against one baseline: the median round of baseline time / scan time. */
function printAgainst(name: string, rounds: readonly number[][], baseline: number, megabytes: number): void {
  const speed = (round: readonly number[]) => round[baseline]! / round[SCAN]!;
  const middle = [...rounds].sort((left, right) => speed(left) - speed(right))[
    Math.floor(rounds.length / 2)
  ]!;
  const scanThroughput = megabytes / (middle[SCAN]! / 1000);
  const baselineThroughput = megabytes / (middle[baseline]! / 1000);
  print(name, scanThroughput, 'MB/s', baselineThroughput, scanThroughput / baselineThroughput);
}

function benchScanThroughput(corpus: readonly CorpusFile[]): void {
  const megabytes = corpus.reduce((sum, file) => sum + file.bytes, 0) / 1024 / 1024;
  for (let round = 0; round < WARM_UP_ROUNDS; round++) timePairedPass(corpus, round);
  const rounds: number[][] = [];
  for (let round = 0; round < MEASURED_ROUNDS; round++) rounds.push(timePairedPass(corpus, round));
  const size = `${corpus.length} files, ${megabytes.toFixed(1)} MB`;
  printAgainst(
    `scan-throughput-vs-raw-babel-parse (${size}, CPU time, paired per file)`,
    rounds,
    0,
    megabytes,
  );
  printAgainst(
    'scan-throughput-vs-babel-parse-with-default-options (attachComment on)',
    rounds,
    1,
    megabytes,
  );
  printAgainst(
    'scan-throughput-vs-parse-plus-empty-traversal (the floor for any AST walk)',
    rounds,
    2,
    megabytes,
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
    const config = { maxFiles: 10_000, blockedCapabilities: [], scanTimeoutMs: 120_000, scanMemoryMb: 2048 };
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
benchScanThroughput(corpus);
await benchRevalidation(corpus);
await benchWorkerHop();
benchPrecision(corpus);
