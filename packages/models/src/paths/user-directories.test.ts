import { describe, expect, it } from 'vitest';
import { getUserDirectories } from './user-directories';

describe('getUserDirectories', () => {
  it('follows XDG on Linux, Library on macOS and AppData on Windows', () => {
    expect(getUserDirectories({ platform: 'linux', env: {}, homedir: '/home/ada' })).toEqual({
      config: '/home/ada/.config/agentplug',
      cache: '/home/ada/.cache/agentplug',
    });
    expect(
      getUserDirectories({
        platform: 'linux',
        env: { XDG_CONFIG_HOME: '/xdg/config', XDG_CACHE_HOME: '/xdg/cache' },
        homedir: '/home/ada',
      }),
    ).toEqual({ config: '/xdg/config/agentplug', cache: '/xdg/cache/agentplug' });
    expect(getUserDirectories({ platform: 'darwin', env: {}, homedir: '/Users/ada' })).toEqual({
      config: '/Users/ada/Library/Preferences/agentplug',
      cache: '/Users/ada/Library/Caches/agentplug',
    });
    expect(
      getUserDirectories({
        platform: 'win32',
        env: { APPDATA: 'C:\\Users\\ada\\AppData\\Roaming', LOCALAPPDATA: 'C:\\Users\\ada\\AppData\\Local' },
        homedir: 'C:\\Users\\ada',
      }),
    ).toEqual({
      config: 'C:\\Users\\ada\\AppData\\Roaming\\agentplug\\Config',
      cache: 'C:\\Users\\ada\\AppData\\Local\\agentplug\\Cache',
    });
  });
});
