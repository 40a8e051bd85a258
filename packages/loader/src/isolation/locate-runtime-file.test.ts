import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PluginError } from '@agentplug/models';
import { describe, expect, it } from 'vitest';
import { locateRuntimeFile } from './locate-runtime-file';

const runtimeFolder = fileURLToPath(new URL('./runtime/', import.meta.url));

describe('locateRuntimeFile', () => {
  it('finds the bootstraps beside the sources', () => {
    for (const name of ['worker-bootstrap.mjs', 'process-bootstrap.mjs']) {
      expect(fileURLToPath(locateRuntimeFile(name))).toBe(join(runtimeFolder, name));
    }
  });

  it('finds the runtime the build copies beside dist/index.js and dist/index.cjs', () => {
    const root = mkdtempSync(join(tmpdir(), 'agentplug-dist-layout-'));
    try {
      cpSync(runtimeFolder, join(root, 'dist', 'isolation', 'runtime'), { recursive: true });
      for (const bundle of ['index.js', 'index.cjs']) {
        const located = locateRuntimeFile(
          'worker-bootstrap.mjs',
          pathToFileURL(join(root, 'dist', bundle)).href,
        );
        expect(fileURLToPath(located)).toBe(
          join(root, 'dist', 'isolation', 'runtime', 'worker-bootstrap.mjs'),
        );
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses with INTERNAL when the runtime folder was not copied', () => {
    const root = mkdtempSync(join(tmpdir(), 'agentplug-dist-layout-'));
    try {
      let caught: unknown;
      try {
        locateRuntimeFile('worker-bootstrap.mjs', pathToFileURL(join(root, 'dist', 'index.js')).href);
      } catch (error) {
        caught = error;
      }
      expect(PluginError.is(caught, 'INTERNAL')).toBe(true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('keeps the runtime folder plain JavaScript that needs no build: only node: built-ins and sibling .mjs files', () => {
    const files = readdirSync(runtimeFolder).filter((name) => name.endsWith('.mjs'));
    expect(readdirSync(runtimeFolder).every((name) => name.endsWith('.mjs') || name.endsWith('.d.mts'))).toBe(
      true,
    );
    let checked = 0;
    for (const name of files) {
      const source = readFileSync(join(runtimeFolder, name), 'utf8');
      for (const [, specifier] of source.matchAll(/^(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm)) {
        expect(
          specifier?.startsWith('node:') || (specifier?.startsWith('./') && specifier.endsWith('.mjs')),
        ).toBe(true);
        if (specifier?.startsWith('./')) expect(files).toContain(specifier.slice(2));
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(30);
  });
});
