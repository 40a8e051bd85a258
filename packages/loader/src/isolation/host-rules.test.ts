import { describe, expect, it } from 'vitest';
import {
  isInternalAddress,
  isLoopbackAddress,
  matchesHostRules,
  mayNameReachAddress,
  parseHostRules,
} from './runtime/host-rules.mjs';

describe('isInternalAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '192.0.0.170',
    '198.18.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    '[::1]',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:169.254.169.254',
    '::127.0.0.1',
    '64:ff9b::a9fe:a9fe',
    '2002:a9fe:a9fe::1',
    'fe80::1',
    'fe80::1%eth0',
    'fc00::1',
    'fd12:3456::1',
    'fec0::1',
    'ff02::1',
    'not an address',
    '1:2:3:4:5:6:7:8:9',
    '1::2::3',
    '256.1.1.1',
  ])('counts %s as internal', (address) => {
    expect(isInternalAddress(address)).toBe(true);
  });

  it.each([
    '8.8.8.8',
    '93.184.216.34',
    '172.32.0.1',
    '100.128.0.1',
    '::ffff:8.8.8.8',
    '2001:4860:4860::8888',
    '2606:4700::1111',
    '1:2:3:4:5:6:7:8',
  ])('counts %s as public', (address) => {
    expect(isInternalAddress(address)).toBe(false);
  });

  it('keeps its answers when the plugin rigged split, array setters and the array iterator', () => {
    const split = Object.getOwnPropertyDescriptor(String.prototype, Symbol.split);
    const iterator = Array.prototype[Symbol.iterator];
    let answers: boolean[];
    try {
      Object.defineProperty(String.prototype, Symbol.split, {
        value: () => ['8', '8', '8', '8'],
        configurable: true,
      });
      for (let index = 0; index < 9; index += 1)
        Object.defineProperty(Array.prototype, index, { set() {}, get: () => 0x2001, configurable: true });
      Array.prototype[Symbol.iterator] = function* () {} as unknown as typeof iterator;
      answers = [
        isInternalAddress('::1'),
        isInternalAddress('fd00::1'),
        isInternalAddress('::ffff:10.0.0.1'),
      ];
    } finally {
      for (let index = 0; index < 9; index += 1)
        delete (Array.prototype as unknown as Record<number, unknown>)[index];
      Array.prototype[Symbol.iterator] = iterator;
      if (split !== undefined) Object.defineProperty(String.prototype, Symbol.split, split);
    }
    // Compared once the realm is whole again (the comparison itself uses arrays).
    expect(answers).toEqual([true, true, true]);
  });
});

describe('isLoopbackAddress', () => {
  it('knows loopback in every spelling, and nothing else', () => {
    for (const address of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1', '0:0:0:0:0:0:0:1']) {
      expect(isLoopbackAddress(address), address).toBe(true);
    }
    for (const address of ['10.0.0.1', '::', '::2', '::ffff:10.0.0.1', 'localhost']) {
      expect(isLoopbackAddress(address), address).toBe(false);
    }
  });
});

describe('mayNameReachAddress', () => {
  it('lets a name lead to public addresses, and localhost names to loopback only', () => {
    expect(mayNameReachAddress('api.example.com', '93.184.216.34')).toBe(true);
    expect(mayNameReachAddress('api.example.com', '127.0.0.1')).toBe(false);
    expect(mayNameReachAddress('api.example.com', '169.254.169.254')).toBe(false);
    expect(mayNameReachAddress('api.example.com', '::ffff:10.0.0.1')).toBe(false);
    expect(mayNameReachAddress('localhost', '127.0.0.1')).toBe(true);
    expect(mayNameReachAddress('LOCALHOST.', '::1')).toBe(true);
    expect(mayNameReachAddress('app.localhost', '127.0.0.2')).toBe(true);
    expect(mayNameReachAddress('localhost', '10.0.0.1')).toBe(false);
    expect(mayNameReachAddress('notlocalhost', '127.0.0.1')).toBe(false);
  });
});

describe('matchesHostRules with wildcard entries', () => {
  it('matches sub-domains of a domain name, never an IP address by any spelling', () => {
    const rules = parseHostRules(['*.example.com', '*.1', '*.0.0.1', '*.ffff:7f00:1']);
    expect(matchesHostRules(rules, 'api.example.com', '443')).toBe(true);
    expect(matchesHostRules(rules, 'example.com', '443')).toBe(false);
    for (const host of [
      '127.0.0.1',
      '10.0.0.1',
      '192.168.1.1',
      '8.8.8.1',
      '0x7f.0.0.1',
      '127.1',
      '::ffff:127.0.0.1',
    ]) {
      expect(matchesHostRules(rules, host, '80'), host).toBe(false);
    }
  });

  it('still matches an address declared exactly', () => {
    expect(matchesHostRules(parseHostRules(['10.0.0.1:5432']), '10.0.0.1', '5432')).toBe(true);
  });
});
