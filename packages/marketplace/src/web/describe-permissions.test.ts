import { describe, expect, it } from 'vitest';
import { findWidenedPermissions, listDeclaredPermissions } from './describe-permissions';

describe('permissions in plain words', () => {
  it('lists only the kinds a version declares, in a fixed order', () => {
    expect(
      listDeclaredPermissions({ environment_variables: ['API_KEY'], network_hosts: ['api.example.com'] }),
    ).toEqual([
      { kind: 'network_hosts', entries: ['api.example.com'] },
      { kind: 'environment_variables', entries: ['API_KEY'] },
    ]);
    expect(listDeclaredPermissions({})).toEqual([]);
  });

  it('finds what a version adds, and nothing when it asks for the same or less', () => {
    expect(
      findWidenedPermissions(
        { network_hosts: ['a.example'] },
        { network_hosts: ['a.example', 'b.example'], filesystem_write: ['/tmp'] },
      ),
    ).toEqual([
      { kind: 'filesystem_write', entries: ['/tmp'] },
      { kind: 'network_hosts', entries: ['b.example'] },
    ]);
    expect(
      findWidenedPermissions({ network_hosts: ['a.example', 'b.example'] }, { network_hosts: ['a.example'] }),
    ).toEqual([]);
  });

  it('ignores entries that are not strings (a hostile index)', () => {
    expect(listDeclaredPermissions({ network_hosts: ['ok', 7, { x: 1 }] as unknown as string[] })).toEqual([
      { kind: 'network_hosts', entries: ['ok'] },
    ]);
  });
});
