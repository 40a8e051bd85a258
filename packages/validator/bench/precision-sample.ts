// Prints a reproducible sample of the findings over the bench corpus, each with its source line,
// for a person to read and judge whether the code really can reach that capability:
//   node --conditions=@agentplug/source --import tsx bench/precision-sample.ts [count] [code-prefix]
// The README gives the outcome of the last reading.
import { analyzeSource } from '../src/scan/scan-source';
import { loadCorpus } from './corpus';

const count = Number(process.argv[2] ?? 40);
const prefix = process.argv[3] ?? '';

/** A small deterministic generator (mulberry32), so the sample is the same each run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const corpus = await loadCorpus();
const all: { file: string; line: number; code: string; capability: string; message: string; text: string }[] =
  [];
for (const file of corpus) {
  const lines = file.code.split('\n');
  // One finding per file and code at most, so a file with a hundred of one kind does not fill the sample.
  const seen = new Set<string>();
  for (const { finding } of analyzeSource(file.code, file.name).uses) {
    if (!finding.code.startsWith(prefix) || seen.has(finding.code)) continue;
    seen.add(finding.code);
    const text = (lines[finding.line - 1] ?? '').trim().slice(0, 160);
    all.push({
      file: file.name,
      line: finding.line,
      code: finding.code,
      capability: finding.capability,
      message: finding.message,
      text,
    });
  }
}
const next = random(17);
const sample = all
  .map((entry) => ({ entry, key: next() }))
  .sort((left, right) => left.key - right.key)
  .slice(0, count);
console.log(
  `${all.length} findings (one per file and code) matching "${prefix}"; a sample of ${sample.length}:`,
);
for (const { entry } of sample) {
  console.log(
    `\n${entry.code} (${entry.capability}) ${entry.file.replace(/^node_modules\/\.pnpm\//, '')}:${entry.line}`,
  );
  console.log(`  ${entry.message}`);
  console.log(`  | ${entry.text}`);
}
