import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addPath, createMountPlan, mountArguments } from './mount-plan';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'agentplug-mounts-')));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('mount plans', () => {
  it('recreates every symlink on the way and binds the real file where it ends', () => {
    mkdirSync(join(root, 'real', 'lib'), { recursive: true });
    writeFileSync(join(root, 'real', 'lib', 'libthing.so.1.2'), 'x');
    symlinkSync('real', join(root, 'lib-link'));
    symlinkSync('libthing.so.1.2', join(root, 'real', 'lib', 'libthing.so.1'));
    const plan = createMountPlan();
    addPath(plan, join(root, 'lib-link', 'lib', 'libthing.so.1'), 'read');
    expect(mountArguments(plan)).toEqual([
      '--ro-bind',
      join(root, 'real', 'lib', 'libthing.so.1.2'),
      join(root, 'real', 'lib', 'libthing.so.1.2'),
      '--symlink',
      'real',
      join(root, 'lib-link'),
      '--symlink',
      'libthing.so.1.2',
      join(root, 'real', 'lib', 'libthing.so.1'),
    ]);
  });

  it('binds parents before children, keeps what is inside a writable folder writable, and skips what does not exist', () => {
    mkdirSync(join(root, 'plugin', 'out', 'data'), { recursive: true });
    const plan = createMountPlan();
    addPath(plan, join(root, 'plugin', 'out', 'data'), 'read');
    addPath(plan, join(root, 'plugin', 'out'), 'write');
    addPath(plan, join(root, 'plugin'), 'read');
    addPath(plan, join(root, 'missing'), 'read');
    expect(mountArguments(plan)).toEqual([
      '--ro-bind',
      join(root, 'plugin'),
      join(root, 'plugin'),
      '--bind',
      join(root, 'plugin', 'out'),
      join(root, 'plugin', 'out'),
    ]);
  });
});
