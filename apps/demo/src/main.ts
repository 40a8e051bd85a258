import { fileURLToPath } from 'node:url';
import { type DemoContext, releaseDeferred } from './demo-context';
import { createDemoOutput } from './output/demo-output';
import { DEMO_USAGE, parseDemoOptions } from './parse-demo-options';
import { runDemo } from './run-demo';
import { DEMO_STEPS } from './steps/demo-steps';
import { createDemoWorkspace } from './workspace/create-demo-workspace';

const defaultExamplesFolder = fileURLToPath(new URL('../../../examples/plugins', import.meta.url));

async function main(): Promise<number> {
  const options = parseDemoOptions(process.argv.slice(2), defaultExamplesFolder);
  if (options.help) {
    console.log(DEMO_USAGE);
    return 0;
  }
  const output = createDemoOutput();
  const workspace = await createDemoWorkspace();
  output.line(`agentplug demo: every file goes to ${workspace.root}`);
  const context: DemoContext = { options, output, workspace, examples: [], deferred: [] };
  const result = await runDemo(DEMO_STEPS, context, async () => {
    const failures = await releaseDeferred(context);
    for (const failure of failures) output.line(`could not release ${failure}`);
    if (options.keep) {
      output.line(`--keep: the workspace stays in ${workspace.root}`);
    } else {
      await workspace.remove();
      output.line(`removed ${workspace.root}`);
    }
  });
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
