import { fileURLToPath } from 'node:url';
import type { DemoContext } from './demo-context';
import { createDemoOutput } from './output/demo-output';
import { DEMO_USAGE, parseDemoOptions } from './parse-demo-options';
import { runDemo } from './run-demo';
import { listExamplePluginsStep } from './steps/list-example-plugins';

const defaultExamplesFolder = fileURLToPath(new URL('../../../examples/plugins', import.meta.url));

async function main(): Promise<number> {
  const options = parseDemoOptions(process.argv.slice(2), defaultExamplesFolder);
  if (options.help) {
    console.log(DEMO_USAGE);
    return 0;
  }
  const context: DemoContext = { options, output: createDemoOutput(), examples: [] };
  const result = await runDemo([listExamplePluginsStep], context);
  return result.ok ? 0 : 1;
}

main().then(
  (exitCode) => {
    process.exitCode = exitCode;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 2;
  },
);
