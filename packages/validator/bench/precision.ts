import type { FindingCapability } from '@agentplug/models';
import { analyzeSource } from '../src/scan/scan-source';
import type { CorpusFile } from './corpus';
import { printFigure } from './report';

/**
 * Precision on real code: every finding over the corpus (the workspace's installed dependency
 * JavaScript), by capability, with the number of files that have one, and the share of files
 * with any finding. `bench/precision-sample.ts` prints a sample of them to read.
 */
export function benchPrecision(corpus: readonly CorpusFile[]): void {
  const findings = new Map<FindingCapability, number>();
  const files = new Map<FindingCapability, number>();
  let withAny = 0;
  for (const file of corpus) {
    const { uses } = analyzeSource(file.code, file.name);
    if (uses.length > 0) withAny += 1;
    const seen = new Set<FindingCapability>();
    for (const { finding } of uses) {
      findings.set(finding.capability, (findings.get(finding.capability) ?? 0) + 1);
      seen.add(finding.capability);
    }
    for (const capability of seen) files.set(capability, (files.get(capability) ?? 0) + 1);
  }
  printFigure(
    `precision-files-with-a-finding (of ${corpus.length} dependency files)`,
    (100 * withAny) / corpus.length,
    '%',
  );
  for (const [capability, count] of [...findings].sort((left, right) => right[1] - left[1])) {
    printFigure(`precision-findings-${capability} (in ${files.get(capability)} files)`, count, 'findings');
  }
}
