import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DemoContext, DemoStep } from '../demo-context';
import { invokeAndPrint } from '../host/invoke-and-print';
import { describeError } from '../run-demo';

const HELLO_ID = 'com.example.hello';

/**
 * Step 5: edits the installed hello plugin's main.js and reloads it in the running host: first
 * with a syntax error (refused; the old instance keeps serving), then with a new greeting.
 */
export const hotReloadPluginStep: DemoStep = {
  number: 5,
  title: 'Hot reload: change an installed plugin, no restart',
  async run(context: DemoContext): Promise<void> {
    const { output } = context;
    const loader = context.loader;
    const state = loader?.getPluginState(HELLO_ID);
    if (!loader || !state) throw new Error(`${HELLO_ID} is not loaded (step 4 did not run)`);
    const mainPath = join(state.pluginPath, 'main.js');
    const original = await readFile(mainPath, 'utf8');
    const greet = { pluginId: HELLO_ID, capability: 'greet', params: { name: 'Ada' } };
    await invokeAndPrint(loader, output, greet);

    output.line(`edit ${mainPath}: a syntax error`);
    await writeFile(mainPath, original.replace('greet(params) {', 'greet(params) {{'));
    try {
      await loader.reloadPlugin(HELLO_ID);
      throw new Error('the broken plugin reloaded');
    } catch (error) {
      output.line(`reloadPlugin refused the new code: ${describeError(error).split('\n').join(' ')}`);
    }
    output.line(`status ${loader.getPluginState(HELLO_ID)?.status}; the old instance keeps serving:`);
    await invokeAndPrint(loader, output, greet);

    const changed = original.replace(
      "const greeting = this.config.greeting ?? 'Hello';",
      "const greeting = 'Hot-reloaded hello';",
    );
    if (changed === original) throw new Error(`${mainPath} does not have the line the demo edits`);
    output.line(`edit ${mainPath}: greeting 'Hello' -> 'Hot-reloaded hello'`);
    await writeFile(mainPath, changed);
    const started = performance.now();
    const reloaded = await loader.reloadPlugin(HELLO_ID);
    output.line(`reloadPlugin: ${reloaded.status} again in ${Math.round(performance.now() - started)} ms`);
    await invokeAndPrint(loader, output, greet);
  },
};
