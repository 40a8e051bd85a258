import { parseArgs } from 'node:util';

/** What the demo was asked to do on its command line. */
export interface DemoOptions {
  /** Run the flow up to and including this step; every step when undefined. */
  lastStep: number | undefined;
  /** Keep the temporary folder (marketplace data, install folder) and print where it is. */
  keep: boolean;
  /** Folder holding the example plugins, one folder each. */
  examplesFolder: string;
  /** Print usage and exit. */
  help: boolean;
}

/** The usage text printed by `--help`. */
export const DEMO_USAGE: string = `Usage: agentplug-demo [--step N] [--keep] [--examples <folder>]

  --step N             run the flow up to and including step N
  --keep               keep the temporary folder and print where it is
  --examples <folder>  where the example plugins are (default: examples/plugins of the repo)
  --help               show this text`;

/**
 * Reads the demo's command line.
 * @throws TypeError for an unknown option or a step that is not a positive whole number
 */
export function parseDemoOptions(argv: readonly string[], defaultExamplesFolder: string): DemoOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      step: { type: 'string' },
      keep: { type: 'boolean', default: false },
      examples: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  let lastStep: number | undefined;
  if (values.step !== undefined) {
    lastStep = Number(values.step);
    if (!Number.isInteger(lastStep) || lastStep < 0) {
      throw new TypeError(`--step takes a step number (0 or more), not "${values.step}"`);
    }
  }
  return {
    lastStep,
    keep: values.keep ?? false,
    examplesFolder: values.examples ?? defaultExamplesFolder,
    help: values.help ?? false,
  };
}
