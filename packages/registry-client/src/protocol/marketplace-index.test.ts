import { describe, expect, it } from 'vitest';
import { formatArchiveName, readArchiveName } from './marketplace-index';

describe('readArchiveName', () => {
  it('reads back the id and version an archive name was made from', () => {
    expect(readArchiveName(formatArchiveName('com.example.hello', '1.0.0'))).toEqual([
      { pluginId: 'com.example.hello', version: '1.0.0' },
    ]);
    expect(readArchiveName(formatArchiveName('com.my-org.tool', '2.0.0-rc.1'))).toEqual([
      { pluginId: 'com.my-org.tool', version: '2.0.0-rc.1' },
    ]);
  });

  it('gives every reading of a name two plugins share, shortest id first', () => {
    const name = formatArchiveName('com.tools-1.2.3', '4.0.0');
    expect(name).toBe(formatArchiveName('com.tools', '1.2.3-4.0.0'));
    expect(readArchiveName(name)).toEqual([
      { pluginId: 'com.tools', version: '1.2.3-4.0.0' },
      { pluginId: 'com.tools-1.2.3', version: '4.0.0' },
    ]);
  });

  it('reads nothing from names that are not archive names', () => {
    for (const name of [
      'com.example.hello-1.0.0.zip',
      'com.example.hello.tgz',
      '-1.0.0.tgz',
      '../x-1.0.0.tgz',
      'COM.X-1.0.0.tgz',
    ]) {
      expect(readArchiveName(name)).toEqual([]);
    }
  });
});
