import { describe, expect, it } from 'vitest';
import { parseDatabaseUrl, redactDatabaseUrl } from './database-url.js';

describe('parseDatabaseUrl', () => {
  it.each([
    ['file:./data/wagw.db', { dialect: 'sqlite', path: './data/wagw.db' }],
    ['file:///var/lib/wagw/wagw.db', { dialect: 'sqlite', path: '/var/lib/wagw/wagw.db' }],
    ['./data/wagw.db', { dialect: 'sqlite', path: './data/wagw.db' }],
    ['/abs/wagw.db', { dialect: 'sqlite', path: '/abs/wagw.db' }],
    ['postgres://u:p@h:5432/db', { dialect: 'postgres', url: 'postgres://u:p@h:5432/db' }],
    ['postgresql://h/db', { dialect: 'postgres', url: 'postgresql://h/db' }],
  ])('%s', (url, expected) => {
    expect(parseDatabaseUrl(url)).toEqual(expected);
  });

  it.each(['mysql://h/db', 'redis://127.0.0.1', 'http://x', ''])('rejects %j', (url) => {
    expect(() => parseDatabaseUrl(url)).toThrow(/database URL/i);
  });

  it('redacts passwords', () => {
    expect(redactDatabaseUrl('postgres://user:secret@h/db')).toBe('postgres://user:***@h/db');
    expect(redactDatabaseUrl('file:./x.db')).toBe('file:./x.db');
  });
});
