import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The demo's temporary folders: every file the demo writes lives under `root`. */
export interface DemoWorkspace {
  root: string;
  /** Where the marketplace server keeps its index and archives. */
  marketplaceFolder: string;
  /** Where the example plugins are packed into archives before publishing. */
  archivesFolder: string;
  /** The host's plugin directory: what the registry client installs and the loader discovers. */
  pluginsFolder: string;
  /** Where downloads land before they are installed. */
  downloadsFolder: string;
  /** Scratch copies of example sources (e.g. the calculator's next version before it is published). */
  sourcesFolder: string;
  /** Removes `root` and everything in it. */
  remove(): Promise<void>;
}

/** Creates a fresh workspace under the operating system's temporary folder. */
export async function createDemoWorkspace(): Promise<DemoWorkspace> {
  const root = await mkdtemp(join(tmpdir(), 'agentplug-demo-'));
  const workspace: DemoWorkspace = {
    root,
    marketplaceFolder: join(root, 'marketplace'),
    archivesFolder: join(root, 'archives'),
    pluginsFolder: join(root, 'plugins'),
    downloadsFolder: join(root, 'downloads'),
    sourcesFolder: join(root, 'sources'),
    remove: () => rm(root, { recursive: true, force: true }),
  };
  for (const folder of [
    workspace.marketplaceFolder,
    workspace.archivesFolder,
    workspace.pluginsFolder,
    workspace.downloadsFolder,
    workspace.sourcesFolder,
  ]) {
    await mkdir(folder, { recursive: true });
  }
  return workspace;
}
