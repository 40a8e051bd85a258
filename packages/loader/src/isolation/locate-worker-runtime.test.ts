import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildRuntimeBundle, type RuntimeBundler } from './build-runtime-bundle';
import { locateWorkerRuntime } from './locate-worker-runtime';

const runtimeFolder = fileURLToPath(new URL('./runtime/', import.meta.url));
const packageFolder = fileURLToPath(new URL('../../', import.meta.url));
const bundler = createRequire(import.meta.url)('esbuild') as RuntimeBundler;

/** A copy of the package's source layout under `root`, and the URL a module of src/isolation has there. */
function copySources(root: string): string {
  cpSync(runtimeFolder, join(root, 'src', 'isolation', 'runtime'), { recursive: true });
  return pathToFileURL(join(root, 'src', 'isolation', 'locate-worker-runtime.ts')).href;
}

describe('locateWorkerRuntime', () => {
  it('runs the worker from the runtime bundled into one CommonJS file, cached under a digest of the sources', async () => {
    const entry = fileURLToPath(await locateWorkerRuntime());
    expect(entry.startsWith(join(packageFolder, 'node_modules', '.cache', 'agentplug-worker-runtime'))).toBe(
      true,
    );
    expect(entry.endsWith('worker-runtime.cjs')).toBe(true);
    const bundle = readFileSync(entry, 'utf8');
    // One file: no import of a sibling runtime file is left, and built-ins are taken at start.
    expect(bundle).not.toMatch(/(?:require\(|from\s*)["']\.\//);
    expect(bundle).toContain('process.getBuiltinModule("node:fs")');
    expect(existsSync(join(dirname(entry), 'module-hooks.mjs'))).toBe(true);
  });

  it('bundles again when a runtime file changed, so an edited guard is never served from an older bundle', async () => {
    // Inside the package, so the copy finds esbuild as the sources do.
    const root = mkdtempSync(join(packageFolder, 'node_modules', '.cache', 'locate-test-'));
    try {
      const moduleUrl = copySources(root);
      const first = fileURLToPath(await locateWorkerRuntime(moduleUrl));
      expect(fileURLToPath(await locateWorkerRuntime(moduleUrl))).toBe(first);
      const guard = join(root, 'src', 'isolation', 'runtime', 'guard-process.mjs');
      writeFileSync(guard, `${readFileSync(guard, 'utf8')}\nexport const edited = 'edited-guard-marker';\n`);
      const second = fileURLToPath(await locateWorkerRuntime(moduleUrl));
      expect(second).not.toBe(first);
      expect(existsSync(first)).toBe(true);
      expect(second.startsWith(join(root, 'node_modules', '.cache', 'agentplug-worker-runtime'))).toBe(true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('runs the unbundled bootstrap from sources where esbuild cannot be loaded', async () => {
    const root = mkdtempSync(join(tmpdir(), 'agentplug-no-esbuild-'));
    try {
      const moduleUrl = copySources(root);
      expect(fileURLToPath(await locateWorkerRuntime(moduleUrl, () => undefined))).toBe(
        join(root, 'src', 'isolation', 'runtime', 'worker-bootstrap.mjs'),
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('finds the bundle the package build puts beside dist/index.js and dist/index.cjs', async () => {
    const root = mkdtempSync(join(tmpdir(), 'agentplug-dist-layout-'));
    try {
      const output = join(root, 'dist', 'isolation', 'bundle');
      await buildRuntimeBundle({ bundler, sourceFolder: runtimeFolder, outputFolder: output });
      for (const file of ['index.js', 'index.cjs']) {
        const located = await locateWorkerRuntime(pathToFileURL(join(root, 'dist', file)).href);
        expect(fileURLToPath(located)).toBe(join(output, 'worker-runtime.cjs'));
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('fails the build on a named import of a built-in (a member must be captured at start, not read later)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'agentplug-named-import-'));
    try {
      const source = join(root, 'runtime');
      mkdirSync(source);
      cpSync(runtimeFolder, source, { recursive: true });
      const serve = join(source, 'serve-plugin.mjs');
      writeFileSync(
        serve,
        `import { AsyncResource as Named } from 'node:async_hooks';\n${readFileSync(serve, 'utf8')}\nexport { Named };\n`,
      );
      await expect(
        buildRuntimeBundle({ bundler, sourceFolder: source, outputFolder: join(root, 'out') }),
      ).rejects.toThrow(/No matching export/);
      expect(existsSync(join(root, 'out', 'worker-runtime.cjs'))).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
