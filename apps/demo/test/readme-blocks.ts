import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One fenced code block of the README. */
export interface ReadmeBlock {
  language: string;
  body: string;
}

/**
 * Every fenced block, in order, of the section of a README whose `###` heading starts with
 * `heading` (up to the next heading).
 * @throws Error when the section or its blocks are missing, so a renamed heading fails loudly
 */
export async function readReadmeBlocks(repositoryFolder: string, heading: string): Promise<ReadmeBlock[]> {
  const text = await readFile(join(repositoryFolder, 'README.md'), 'utf8');
  const start = text.indexOf(`\n### ${heading}`);
  if (start === -1) throw new Error(`README.md has no section "${heading}"`);
  const next = /\n##/.exec(text.slice(start + 1));
  const section = text.slice(start, next ? start + 1 + next.index : undefined);
  const blocks = [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((match) => ({
    language: match[1] ?? '',
    body: match[2] ?? '',
  }));
  if (blocks.length === 0) throw new Error(`section "${heading}" has no code blocks`);
  return blocks;
}

/** The command lines of a shell block: comments after `#` and blank lines dropped. */
export function commandLines(block: ReadmeBlock): string[] {
  return block.body
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line.length > 0);
}
