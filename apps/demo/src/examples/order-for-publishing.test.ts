import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findExamplePlugins } from './find-example-plugins';
import { orderForPublishing } from './order-for-publishing';

const EXAMPLES_FOLDER = join(import.meta.dirname, '..', '..', '..', '..', 'examples', 'plugins');

describe('orderForPublishing', () => {
  it('puts every version of a dependency before the plugins that need it', async () => {
    const examples = await findExamplePlugins(EXAMPLES_FOLDER);
    const order = orderForPublishing(examples).map(
      (example) => `${example.manifest.plugin_id}@${example.manifest.version}`,
    );
    expect(order).toHaveLength(examples.length);
    expect(order.indexOf('com.example.mathlib@2.1.0')).toBeLessThan(
      order.indexOf('com.example.calculator@2.0.0'),
    );
    expect(order.indexOf('com.example.mathlib@1.4.0')).toBeLessThan(
      order.indexOf('com.example.calculator@2.0.0'),
    );
  });

  it('keeps the input order among independent plugins', async () => {
    const examples = await findExamplePlugins(EXAMPLES_FOLDER);
    const independent = examples.filter((example) => (example.manifest.dependencies ?? []).length === 0);
    const order = orderForPublishing(examples).filter((example) => independent.includes(example));
    expect(order).toEqual(independent);
  });
});
