import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { locateWorkerBootstrap } from './locate-worker-bootstrap';

const workerFolder = fileURLToPath(new URL('./worker/', import.meta.url));

describe('locateWorkerBootstrap', () => {
  it('finds the bootstrap beside the sources', () => {
    expect(fileURLToPath(locateWorkerBootstrap())).toBe(join(workerFolder, 'bootstrap.mjs'));
  });

  it('finds the bootstrap the build copies beside dist/index.js and dist/index.cjs', () => {
    const root = mkdtempSync(join(tmpdir(), 'agentplug-dist-layout-'));
    try {
      cpSync(workerFolder, join(root, 'dist', 'isolation', 'worker'), { recursive: true });
      for (const bundle of ['index.js', 'index.cjs']) {
        const located = locateWorkerBootstrap(pathToFileURL(join(root, 'dist', bundle)).href);
        expect(fileURLToPath(located)).toBe(join(root, 'dist', 'isolation', 'worker', 'bootstrap.mjs'));
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('keeps the worker folder plain JavaScript that needs no build: only node: built-ins and sibling .mjs files', () => {
    const files = readdirSync(workerFolder);
    expect(files.every((name) => name.endsWith('.mjs'))).toBe(true);
    let checked = 0;
    for (const name of files) {
      const source = readFileSync(join(workerFolder, name), 'utf8');
      for (const [, specifier] of source.matchAll(/^(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm)) {
        expect(
          specifier?.startsWith('node:') || (specifier?.startsWith('./') && specifier.endsWith('.mjs')),
        ).toBe(true);
        if (specifier?.startsWith('./')) expect(files).toContain(specifier.slice(2));
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });
});
