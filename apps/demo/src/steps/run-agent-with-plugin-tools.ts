import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLiveAgentplugTools } from '@agentplug/ai-sdk';
import { generateText, stepCountIs } from 'ai';
import { createScriptedLanguageModel } from '../agent/scripted-language-model';
import type { DemoContext, DemoStep } from '../demo-context';
import { formatValue } from '../host/format-value';

const HELLO_ID = 'com.example.hello';
const ARITHMETIC = 'com_example_calculator__arithmetic';
const FORECAST = 'com_example_weather__forecast';
const WORD_STATS = 'com_example_word-stats__wordStats';
const FAREWELL = 'com_example_hello__farewell';

/**
 * Step 8: an agent loop of the Vercel AI SDK (`generateText`, several steps) uses the active
 * plugins as tools through `@agentplug/ai-sdk`, driven by a scripted model (the AI SDK's own mock,
 * no network). Its first step calls three plugin tools, one of which the worker sandbox refuses;
 * between its steps the hello plugin gains a capability and is hot-reloaded, and the next step is
 * offered, and calls, the new tool.
 */
export const runAgentWithPluginToolsStep: DemoStep = {
  number: 8,
  title: 'An AI SDK agent uses the plugins as tools; a hot reload between its steps',
  async run(context: DemoContext): Promise<void> {
    const { output, loader } = context;
    const hello = loader?.getPluginState(HELLO_ID);
    if (!loader || !hello) throw new Error('the host is not running (step 4 did not run)');
    const agentplug = createLiveAgentplugTools(loader, {
      includePlugins: ['com.example.calculator', 'com.example.weather', 'com.example.word-stats', HELLO_ID],
      timeoutMs: 10_000,
    });
    output.line(`createLiveAgentplugTools(loader): ${agentplug.toolNames().join(', ')}`);
    const model = createScriptedLanguageModel([
      () => ({
        toolCalls: [
          { toolName: ARITHMETIC, input: { expression: 'cbrt(27) + 1' } },
          { toolName: FORECAST, input: { city: 'Lisbon' } },
          { toolName: WORD_STATS, input: { text: 'the secret launch plan' } },
        ],
      }),
      (turn) =>
        turn.toolNames.includes(FAREWELL)
          ? { toolCalls: [{ toolName: FAREWELL, input: { name: 'Ada' } }] }
          : { text: 'I have no way to say goodbye.' },
      (turn) => ({ text: `Done: ${String(turn.toolResults[0]?.value)}` }),
    ]);
    let stepNumber = 0;
    const result = await generateText({
      model,
      tools: agentplug.tools,
      stopWhen: stepCountIs(5),
      prompt:
        'Work out cbrt(27) + 1, get the weather in Lisbon, count the words of my plan, then say goodbye to Ada.',
      prepareStep: ({ stepNumber: number }) => {
        output.line(`agent step ${number + 1}: offered ${agentplug.toolNames().length} plugin tools`);
        return undefined;
      },
      onStepFinish: async (step) => {
        stepNumber += 1;
        for (const part of step.content) {
          if (part.type === 'tool-result') {
            output.line(`  ${part.toolName}(${formatValue(part.input)}) -> ${formatValue(part.output)}`);
          } else if (part.type === 'tool-error') {
            const [first, ...rest] = String(part.error).split('\n');
            output.line(`  ${part.toolName}(${formatValue(part.input)}) -> tool error ${first}`);
            for (const line of rest) output.line(`    ${line}`);
          }
        }
        if (stepNumber === 1) await addFarewellAndReload(context, hello.pluginPath);
      },
    });
    output.line(`agent answer after ${result.steps.length} steps: ${result.text}`);
    agentplug.close();
  },
};

/** Between the agent's steps: the hello plugin gains a `farewell` capability and is hot-reloaded. */
async function addFarewellAndReload(context: DemoContext, pluginPath: string): Promise<void> {
  const { output, loader } = context;
  const manifestPath = join(pluginPath, 'plugin.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { capabilities: unknown[] };
  manifest.capabilities.push({
    name: 'farewell',
    description: 'Says goodbye to someone by name',
    version: '1.0.0',
    parameters: {
      type: 'object',
      properties: { name: { type: 'string', minLength: 1 } },
      required: ['name'],
      additionalProperties: false,
    },
  });
  await writeFile(manifestPath, JSON.stringify(manifest, null, 2));
  const codePath = join(pluginPath, 'main.js');
  const code = await readFile(codePath, 'utf8');
  const edited = code.replace(
    /\n}\s*$/,
    "\n  farewell(params) {\n    return 'Goodbye, ' + params.name + '!';\n  }\n}\n",
  );
  if (edited === code) throw new Error(`${codePath} does not end the way the demo expects`);
  await writeFile(codePath, edited);
  const started = performance.now();
  await loader!.reloadPlugin(HELLO_ID);
  output.line(
    `between the agent's steps: ${HELLO_ID} gains farewell, hot-reloaded in ${Math.round(performance.now() - started)} ms`,
  );
}
