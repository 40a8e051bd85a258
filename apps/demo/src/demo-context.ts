import type { ExamplePlugin } from './examples/find-example-plugins';
import type { DemoOutput } from './output/demo-output';
import type { DemoOptions } from './parse-demo-options';

/** State the demo's steps share: what earlier steps built and later steps use. */
export interface DemoContext {
  options: DemoOptions;
  output: DemoOutput;
  /** The example plugins found in the examples folder. */
  examples: ExamplePlugin[];
}

/** One headed, timed step of the demo. */
export interface DemoStep {
  /** The step's number in the printed flow. */
  number: number;
  title: string;
  run(context: DemoContext): Promise<void>;
}
