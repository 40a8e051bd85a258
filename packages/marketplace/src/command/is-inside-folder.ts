import { relative, resolve, sep } from 'node:path';

/** Whether `path` is `folder` or lies under it (compared as resolved paths). */
export function isInsideFolder(path: string, folder: string): boolean {
  const relation = relative(resolve(folder), resolve(path));
  return (
    relation === '' || !(relation === '..' || relation.startsWith(`..${sep}`) || relation.startsWith(sep))
  );
}
