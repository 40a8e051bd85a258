import type { DemoContext, DemoStep } from './demo-context';

/** How a demo run went. */
export interface RunDemoResult {
  ok: boolean;
  /** Numbers of the steps that completed. */
  completedSteps: number[];
  durationMs: number;
}

function formatDuration(milliseconds: number): string {
  return milliseconds < 1000 ? `${Math.round(milliseconds)} ms` : `${(milliseconds / 1000).toFixed(2)} s`;
}

/**
 * Runs the steps in order, each under its heading and timed, up to `context.options.lastStep`.
 * Stops at the first failing step, prints why, and reports it in the result; `cleanup` always runs.
 */
export async function runDemo(
  steps: readonly DemoStep[],
  context: DemoContext,
  cleanup: () => Promise<void> = async () => {},
): Promise<RunDemoResult> {
  const started = performance.now();
  const completedSteps: number[] = [];
  let ok = true;
  try {
    for (const step of steps) {
      if (context.options.lastStep !== undefined && step.number > context.options.lastStep) break;
      context.output.heading(`${step.number}. ${step.title}`);
      const stepStarted = performance.now();
      try {
        await step.run(context);
      } catch (error) {
        ok = false;
        context.output.line(`FAILED step ${step.number}: ${describeError(error)}`);
        break;
      }
      completedSteps.push(step.number);
      context.output.line(`(step ${step.number} done in ${formatDuration(performance.now() - stepStarted)})`);
    }
  } finally {
    await cleanup();
  }
  const durationMs = performance.now() - started;
  context.output.heading(
    ok
      ? `Demo finished: ${completedSteps.length} steps in ${formatDuration(durationMs)}`
      : `Demo failed after ${completedSteps.length} steps in ${formatDuration(durationMs)}`,
  );
  return { ok, completedSteps, durationMs };
}

/** One-line description of an error, with its agentplug code when it has one. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `[${code}] ${error.message}` : error.message;
  }
  return String(error);
}
