// Runs the agent loop example of an adapter package's README as it is written there, so the
// README cannot drift from what works. Shared by the agent framework adapters' tests.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { examplesFolder } from './agent-fixtures';

const repositoryFolder = fileURLToPath(new URL('../../', import.meta.url));
const requireFromRoot = createRequire(join(repositoryFolder, 'package.json'));
const tsxUrl = pathToFileURL(requireFromRoot.resolve('tsx')).href;
const tscPath = requireFromRoot.resolve('typescript/bin/tsc');

/** What type-checking and running a README example gave, beside what the README says it prints. */
export interface ReadmeExampleRun {
  /** The type checker's output on the example (with the package's tsconfig): empty when it type-checks. */
  typeErrors: string;
  stdout: string;
  stderr: string;
  exitCode: number;
  /** The text block right after the example in the README: what it says the program prints. */
  expectedOutput: string;
}

/**
 * Takes the first `ts` block under `## <heading>` in `<packageFolder>/README.md`, writes it into a
 * scratch folder inside the package (so `@agentplug/<package>` resolves to the package itself and
 * its dependencies to the package's own), type-checks it with the package's tsconfig, and runs it
 * with Node.js on the workspace's sources
 * (`--conditions=@agentplug/source`, tsx) in a folder whose `plugins/` holds copies of the given
 * example plugins.
 */
export async function runReadmeExample(options: {
  packageFolder: string;
  heading: string;
  examplePlugins: readonly string[];
}): Promise<ReadmeExampleRun> {
  const readme = await readFile(join(options.packageFolder, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n## ${options.heading}\n`);
  if (start === -1) throw new Error(`README.md has no section "${options.heading}"`);
  const section = readme.slice(start + 1).split(/\n## /)[0] ?? '';
  const blocks = [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)];
  const codeIndex = blocks.findIndex((block) => block[1] === 'ts');
  const code = blocks[codeIndex]?.[2];
  const expectedOutput = blocks[codeIndex + 1]?.[1] === 'text' ? (blocks[codeIndex + 1]?.[2] ?? '') : '';
  if (code === undefined) throw new Error(`section "${options.heading}" has no ts block`);

  const scratch = join(options.packageFolder, `.readme-example-${randomBytes(4).toString('hex')}`);
  // The example reads ./plugins: it runs in a folder where that holds copies of the examples.
  const work = await mkdtemp(join(tmpdir(), 'agentplug-readme-example-'));
  try {
    for (const folder of options.examplePlugins) {
      await cp(join(examplesFolder, folder), join(work, 'plugins', folder), { recursive: true });
    }
    await mkdir(scratch);
    const scriptPath = join(scratch, 'example.mts');
    await writeFile(scriptPath, code);
    await writeFile(
      join(scratch, 'tsconfig.json'),
      JSON.stringify({ extends: '../tsconfig.json', include: ['example.mts'] }),
    );
    const typecheck = await runNode([tscPath, '-p', join(scratch, 'tsconfig.json')], scratch);
    const run = await runNode(['--conditions=@agentplug/source', '--import', tsxUrl, scriptPath], work);
    return { ...run, typeErrors: typecheck.stdout + typecheck.stderr, expectedOutput };
  } finally {
    await rm(scratch, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  }
}

function runNode(
  args: readonly string[],
  cwd: string,
): Promise<Omit<ReadmeExampleRun, 'expectedOutput' | 'typeErrors'>> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...args],
      { cwd, timeout: 120_000, env: { ...process.env, NODE_NO_WARNINGS: '1' } },
      (error, stdout, stderr) =>
        resolve({ stdout, stderr, exitCode: error ? (typeof error.code === 'number' ? error.code : 1) : 0 }),
    );
  });
}
