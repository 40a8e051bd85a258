import { join } from 'node:path';
import { commonJs, type EscapeAttempt, esm, hasOsSandbox, importsGated } from './escape-attempt';

// The file system: undeclared paths by every API form, links and `..` out of declared folders,
// writes disguised as reads, descriptors and file handles that are not the plugin's, listings and
// watchers that follow a link out, and module imports from outside.

const fs = 'import fs from "node:fs";';
const declaredRead = (context: { config: { declared: string } }) => ({
  filesystem_read: [context.config.declared],
});
const declaredWrite = (context: { config: { writable: string } }) => ({
  filesystem_write: [context.config.writable],
});
const readDenied = {
  capability: 'filesystem_read',
  mentions: ['to permissions.filesystem_read', 'file descriptor'],
};
const writeDenied = { capability: 'filesystem_write', mentions: ['to permissions.filesystem_write'] };
/** A module import from outside: refused by the module gate, or not found inside the OS sandbox. */
const outsideImport = (tier: Parameters<typeof importsGated>[0]) =>
  importsGated(tier) || !hasOsSandbox(tier) ? 'denied' : 'hidden';
/**
 * A listing through a link: refused, or (inside the OS sandbox, where the link leads nowhere, and
 * where Node does not follow links for this form) answered without anything from outside.
 */
const listingOutcome = 'hidden' as const;

export const fileAttempts: EscapeAttempt[] = [
  {
    name: 'reading an undeclared file',
    files: () => esm(`return fs.readFileSync(c.secret, 'utf8');`, fs),
    permissions: declaredRead,
    ...readDenied,
  },
  {
    name: 'reading an undeclared file named by a Buffer, a file: URL and a URL look-alike',
    files: () =>
      esm(
        `const refusals = [];
for (const name of [Buffer.from(c.secret), new URL('file://' + c.secret), { href: 'file://' + c.secret }]) {
  try { return fs.readFileSync(name, 'utf8'); } catch (error) { refusals.push(error); }
}
if (refusals.every((error) => error.code === 'PERMISSION_DENIED')) throw refusals[0];
return refusals.map((error) => error.code);`,
        fs,
      ),
    ...readDenied,
  },
  {
    name: 'reading an undeclared file through /proc/self/root and /proc/self/fd',
    files: () =>
      esm(
        `const refusals = [];
for (const name of ['/proc/self/root' + c.secret, '/proc/self/fd/' + c.hostFd, '/proc/' + process.pid + '/root' + c.secret]) {
  try { return fs.readFileSync(name, 'utf8'); } catch (error) { refusals.push(error); }
}
if (refusals.every((error) => error.code === 'PERMISSION_DENIED')) throw refusals[0];
return refusals.map((error) => error.code);`,
        fs,
      ),
    // Inside the OS sandbox the host's file and descriptor are not there at all.
    outcome: (tier) => (hasOsSandbox(tier) ? 'hidden' : 'denied'),
    ...readDenied,
  },
  {
    name: 'reading through a symlink out of a declared folder',
    files: () => esm(`return fs.readFileSync(c.declared + '/link-to-secret', 'utf8');`, fs),
    permissions: declaredRead,
    ...readDenied,
  },
  {
    name: 'reading with a .. escape from a declared folder',
    files: () =>
      esm(
        `return (await readFile(c.declared + '/../secret.txt')).toString();`,
        'import { readFile } from "node:fs/promises";',
      ),
    permissions: declaredRead,
    ...readDenied,
  },
  {
    name: 'reading an undeclared file with the callback API',
    files: () =>
      esm(
        `return await new Promise((resolve, reject) => fs.readFile(c.secret, (error, data) => (error ? reject(error) : resolve(String(data)))));`,
        fs,
      ),
    ...readDenied,
  },
  {
    name: 'reading an undeclared file with a stream',
    files: () => esm(`fs.createReadStream(c.secret).resume();`, fs),
    ...readDenied,
  },
  {
    name: 'constructing fs.ReadStream directly',
    files: () =>
      esm(
        `return await new Promise((resolve, reject) => new fs.ReadStream(c.secret).on('error', reject).on('data', resolve));`,
        fs,
      ),
    ...readDenied,
  },
  {
    name: 'checking that an undeclared file exists (stat, realpath, openAsBlob)',
    files: () =>
      esm(
        `const refusals = [];
for (const probe of [() => fs.statSync(c.secret), () => fs.realpathSync.native(c.secret), () => fs.openAsBlob(c.secret), () => fs.existsSync(c.secret)]) {
  try { await probe(); } catch (error) { refusals.push(error); }
}
// Every probe refused: the first refusal is the answer; anything else is what the plugin saw.
if (refusals.length === 4 && refusals.every((error) => error.code === 'PERMISSION_DENIED')) throw refusals[0];
return refusals.map((error) => error.code);`,
        fs,
      ),
    ...readDenied,
  },
  {
    name: "reading the host's environment from /proc/self/environ",
    files: () => esm(`return fs.readFileSync('/proc/self/environ', 'utf8');`, fs),
    ...readDenied,
  },
  {
    name: 'loading an undeclared .env file',
    files: () => esm(`process.loadEnvFile(c.secret);`),
    ...readDenied,
  },
  {
    name: "reading the host's open file descriptor",
    files: () =>
      esm(`const buffer = Buffer.alloc(64); fs.readSync(c.hostFd, buffer); return String(buffer);`, fs),
    ...readDenied,
  },
  {
    name: 'a forged FileHandle over a host descriptor',
    files: () =>
      esm(
        `const own = await fs.promises.open(new URL('./main.mjs', import.meta.url));
const symbols = Object.getOwnPropertySymbols(own);
const forged = Object.create(Object.getPrototypeOf(own));
for (const symbol of symbols) forged[symbol] = own[symbol];
forged[symbols.find((symbol) => symbol.description === 'kFd')] = c.hostFd;
return await forged.readFile('utf8');`,
        fs,
      ),
    ...readDenied,
  },
  {
    name: 'a real FileHandle pointed at a host descriptor',
    files: () =>
      esm(
        `const own = await fs.promises.open(new URL('./main.mjs', import.meta.url));
own[Object.getOwnPropertySymbols(own).find((symbol) => symbol.description === 'kFd')] = c.hostFd;
return await own.readFile('utf8');`,
        fs,
      ),
    ...readDenied,
  },
  {
    name: 'constructing a FileHandle from the class a handle reveals',
    files: () =>
      esm(
        `const own = await fs.promises.open(new URL('./main.mjs', import.meta.url));
const handle = own[Object.getOwnPropertySymbols(own).find((symbol) => symbol.description === 'kHandle')];
const NativeFileHandle = Object.getPrototypeOf(handle).constructor;
const FileHandle = Object.getPrototypeOf(own).constructor;
return await new FileHandle(new NativeFileHandle(c.hostFd)).readFile('utf8');`,
        fs,
      ),
    ...readDenied,
    mentions: ['FileHandle constructor'],
  },
  {
    name: 'a file-handle look-alike given to readFile',
    files: () => esm(`return await fs.promises.readFile({ fd: c.hostFd, close() {} }, 'utf8');`, fs),
    ...readDenied,
  },
  {
    name: 'a recursive listing that follows a symlink out of a declared folder',
    files: () => esm(`return fs.readdirSync(c.declared, { recursive: true });`, fs),
    permissions: declaredRead,
    outcome: listingOutcome,
    ...readDenied,
  },
  {
    name: 'a recursive listing with file types, promise form',
    files: () =>
      esm(
        `return (await fs.promises.readdir(c.declared, { recursive: true, withFileTypes: true })).map((entry) => entry.name);`,
        fs,
      ),
    permissions: declaredRead,
    outcome: listingOutcome,
    ...readDenied,
  },
  {
    name: 'a raw file watcher on an undeclared folder',
    files: () =>
      esm(
        `const watcher = fs.watch(new URL('.', import.meta.url));
// Its native handle, told to watch somewhere else.
try { return watcher._handle.start(c.root, true, false, 'utf8'); } finally { watcher.close(); }`,
        fs,
      ),
    ...readDenied,
  },
  {
    name: 'importing a module outside the plugin folder',
    files: () => esm(`return (await import(c.root + '/outside.mjs')).stolen;`),
    outcome: outsideImport,
    ...readDenied,
  },
  {
    name: 'static import of a module outside the plugin folder',
    files: (context) =>
      esm('', `import { stolen } from ${JSON.stringify(join(context.config.root, 'outside.mjs'))};`),
    stage: 'load',
    outcome: outsideImport,
    ...readDenied,
  },
  {
    name: 'requiring a file outside the plugin folder from CommonJS',
    files: () => commonJs(`return require(c.root + '/outside.cjs');`),
    ...readDenied,
  },
  {
    name: 'importing a JSON file outside the plugin folder',
    files: () => esm(`return (await import(c.root + '/outside.json', { with: { type: 'json' } })).default;`),
    outcome: outsideImport,
    ...readDenied,
  },
  {
    name: 'truncating a read-only declared file with readFile and flag w',
    files: () => esm(`return await fs.promises.readFile(c.canary, { flag: 'w' });`, fs),
    permissions: declaredRead,
    ...writeDenied,
  },
  {
    name: 'appending to a read-only declared file with readFileSync and flag a+',
    files: () => esm(`return fs.readFileSync(c.canary, { encoding: 'utf8', flag: 'a+' });`, fs),
    permissions: declaredRead,
    ...writeDenied,
  },
  {
    name: 'truncating a read-only declared file with numeric flags',
    files: () =>
      esm(`return fs.readFileSync(c.canary, { flag: fs.constants.O_WRONLY | fs.constants.O_TRUNC });`, fs),
    permissions: declaredRead,
    ...writeDenied,
  },
  {
    name: 'opening a read-only declared file for writing through a read stream',
    files: () =>
      esm(
        `await new Promise((resolve, reject) => fs.createReadStream(c.canary, { flags: 'w' }).on('error', reject).on('open', resolve));`,
        fs,
      ),
    permissions: declaredRead,
    ...writeDenied,
  },
  {
    name: 'copying an undeclared file into the declared write folder',
    files: () => esm(`fs.copyFileSync(c.secret, c.writable + '/copy.txt');`, fs),
    permissions: declaredWrite,
    ...readDenied,
  },
  {
    name: 'copying a declared folder with its links dereferenced',
    files: () =>
      esm(`fs.cpSync(c.declared, c.writable + '/copy.txt', { recursive: true, dereference: true });`, fs),
    permissions: (context) => ({ ...declaredRead(context), ...declaredWrite(context) }),
    ...readDenied,
    mentions: ['dereference'],
  },
  {
    name: 'hard-linking a read-only declared file into the write folder, then writing through the link',
    files: () =>
      esm(
        `fs.linkSync(c.canary, c.writable + '/hard-link');
fs.writeFileSync(c.writable + '/hard-link', 'changed through a hard link');`,
        fs,
      ),
    permissions: (context) => ({ ...declaredRead(context), ...declaredWrite(context) }),
    ...writeDenied,
  },
  {
    name: 'hard-linking an undeclared file into the write folder, promise form',
    files: () => esm(`await fs.promises.link(c.secret, c.writable + '/copy.txt');`, fs),
    permissions: declaredWrite,
    ...readDenied,
  },
  {
    name: 'planting a symlink to an undeclared file in the declared write folder',
    files: () => esm(`fs.symlinkSync(c.secret, c.writable + '/planted');`, fs),
    permissions: declaredWrite,
    ...readDenied,
  },
  {
    name: 'writing outside the declared path',
    files: () => esm(`fs.writeFileSync(c.root + '/written-outside.txt', 'x');`, fs),
    permissions: declaredWrite,
    ...writeDenied,
  },
  {
    name: 'writing through a dangling symlink in the declared write folder',
    files: () => esm(`await fs.promises.writeFile(c.writable + '/dangling', 'x');`, fs),
    permissions: declaredWrite,
    ...writeDenied,
  },
  {
    name: 'checks still hold after the plugin replaces path and Stats methods',
    files: () =>
      esm(
        `try { path.resolve = () => c.writable + '/fine.txt'; path.relative = () => 'fine.txt'; } catch {}
fs.Stats.prototype.isSymbolicLink = () => false;
await fs.promises.writeFile(c.writable + '/dangling', 'x');`,
        'import fs from "node:fs"; import path from "node:path";',
      ),
    permissions: declaredWrite,
    ...writeDenied,
  },
  {
    name: 'listing with fs.glob',
    files: () =>
      esm(
        `if (typeof fs.globSync !== 'function') { const error = new Error('Permission denied: fs.globSync is absent'); error.code = 'PERMISSION_DENIED'; throw error; }
return fs.globSync(c.root + '/*');`,
        fs,
      ),
    outcome: 'failed',
  },
];
