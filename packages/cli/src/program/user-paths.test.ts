import { describe, expect, test } from 'vitest';
import { formatUserPath, withUserPath } from './user-paths';

describe("the user's own file paths in validation messages", () => {
  test('relative to where the command ran when inside it, else absolute', () => {
    expect(formatUserPath('/home/ada/work/plugins/x', 'main.js', '/home/ada/work')).toBe('plugins/x/main.js');
    expect(formatUserPath('/home/ada/work', 'main.js', '/home/ada/work')).toBe('main.js');
    expect(formatUserPath('/tmp/x', 'lib/a.mjs', '/home/ada/work')).toBe('/tmp/x/lib/a.mjs');
  });

  test("a message's leading file is rewritten, the rest of it left as it was", () => {
    const cwd = '/home/ada';
    expect(withUserPath('main.js:1:26: imports child_process (SHELL_MODULE)', '/home/ada/p', cwd)).toBe(
      'p/main.js:1:26: imports child_process (SHELL_MODULE)',
    );
    expect(withUserPath('plugin.json $.entry_point: does not resolve', '/srv/p', cwd)).toBe(
      '/srv/p/plugin.json $.entry_point: does not resolve',
    );
    expect(withUserPath('lib/util.mjs: cannot be parsed', '/srv/p', cwd)).toBe(
      '/srv/p/lib/util.mjs: cannot be parsed',
    );
    // Not a file reference: untouched.
    expect(withUserPath('the security config blocks shell', '/srv/p', cwd)).toBe(
      'the security config blocks shell',
    );
    expect(withUserPath('capability "greet" has no implementation', '/srv/p', cwd)).toBe(
      'capability "greet" has no implementation',
    );
  });
});
