import { homedir } from 'node:os';
import { posix, win32 } from 'node:path';

/** Where agentplug keeps a user's settings and downloads on this machine. */
export interface UserDirectories {
  /** The folder of `config.json` (the command line's settings). */
  config: string;
  /** The folder of downloads and the last-seen index versions. */
  cache: string;
}

/** What {@link getUserDirectories} reads; the process's own by default (tests pass others). */
export interface UserDirectoriesOptions {
  platform?: NodeJS.Platform;
  env?: Readonly<Record<string, string | undefined>>;
  homedir?: string;
}

/**
 * The per-OS folders for agentplug's settings and cache, by the rules env-paths follows: Linux and
 * other Unix systems use the XDG variables (`$XDG_CONFIG_HOME/agentplug`, default
 * `~/.config/agentplug`; `$XDG_CACHE_HOME/agentplug`, default `~/.cache/agentplug`); macOS
 * `~/Library/Preferences/agentplug` and `~/Library/Caches/agentplug`; Windows
 * `%APPDATA%\agentplug\Config` and `%LOCALAPPDATA%\agentplug\Cache`.
 *
 * @example
 * getUserDirectories({ platform: 'darwin', homedir: '/Users/ada' }).cache; // '/Users/ada/Library/Caches/agentplug'
 */
export function getUserDirectories(options: UserDirectoriesOptions = {}): UserDirectories {
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  const home = options.homedir ?? homedir();
  const name = 'agentplug';
  // The target platform's separators, whichever platform computes them.
  const join = platform === 'win32' ? win32.join : posix.join;
  if (platform === 'darwin') {
    const library = join(home, 'Library');
    return { config: join(library, 'Preferences', name), cache: join(library, 'Caches', name) };
  }
  if (platform === 'win32') {
    const appData = env.APPDATA || join(home, 'AppData', 'Roaming');
    const localAppData = env.LOCALAPPDATA || join(home, 'AppData', 'Local');
    return { config: join(appData, name, 'Config'), cache: join(localAppData, name, 'Cache') };
  }
  return {
    config: join(env.XDG_CONFIG_HOME || join(home, '.config'), name),
    cache: join(env.XDG_CACHE_HOME || join(home, '.cache'), name),
  };
}
