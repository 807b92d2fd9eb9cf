import { describe, expect, it } from 'vitest';
import { databaseUrl, InvalidDatabaseUrlError, parseDatabaseUrl } from './database-url.js';
import { redactUrl } from './fields.js';

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

  // The cases where @wagw/config and @wagw/db used to answer differently, before they shared this parser.
  it.each([
    ['C:\\data\\wagw.db', { dialect: 'sqlite', path: 'C:\\data\\wagw.db' }],
    ['c:/data/wagw.db', { dialect: 'sqlite', path: 'c:/data/wagw.db' }],
    ['file:C:\\data\\wagw.db', { dialect: 'sqlite', path: 'C:\\data\\wagw.db' }],
    ['FILE:./data/wagw.db', { dialect: 'sqlite', path: './data/wagw.db' }],
    ['file:/abs/wagw.db', { dialect: 'sqlite', path: '/abs/wagw.db' }],
    ['file://localhost/abs/wagw.db', { dialect: 'sqlite', path: '/abs/wagw.db' }],
    ['file:///abs/my%20data/wagw.db', { dialect: 'sqlite', path: '/abs/my data/wagw.db' }],
    [':memory:', { dialect: 'sqlite', path: ':memory:' }],
    ['  file:./padded.db  ', { dialect: 'sqlite', path: './padded.db' }],
    ['POSTGRES://h/db', { dialect: 'postgres', url: 'POSTGRES://h/db' }],
    [
      'postgresql://u:p@[::1]:5432/db?sslmode=require',
      { dialect: 'postgres', url: 'postgresql://u:p@[::1]:5432/db?sslmode=require' },
    ],
  ])('%s', (url, expected) => {
    expect(parseDatabaseUrl(url)).toEqual(expected);
  });

  it.each([
    ['mysql://h/db', /unsupported scheme "mysql:"/],
    ['redis://127.0.0.1', /unsupported scheme "redis:"/],
    ['http://x', /unsupported scheme "http:"/],
    ['sqlite:./data/wagw.db', /unsupported scheme "sqlite:"; use file:<path>/],
    ['sqlite:///var/lib/wagw.db', /unsupported scheme "sqlite:"/],
    ['postgres:db', /unsupported scheme "postgres:"/],
    ['file://db-host/wagw.db', /File URL host must be "localhost" or empty/],
    ['file:', /file: needs a path/],
    ['', /it is empty/],
    ['   ', /it is empty/],
  ])('rejects %j', (url, reason) => {
    const err = (() => {
      try {
        parseDatabaseUrl(url);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(InvalidDatabaseUrlError);
    expect((err as Error).message).toMatch(/^Invalid database URL/);
    expect((err as InvalidDatabaseUrlError).reason).toMatch(reason);
  });

  it('never puts a password into its error', () => {
    expect(() => parseDatabaseUrl('mysql://root:hunter2@db/x')).toThrow(
      'Invalid database URL "mysql://***@db/x": unsupported scheme "mysql:"',
    );
  });
});

describe('databaseUrl (the DATABASE_URL field)', () => {
  it('defaults to the embedded SQLite file and keeps a valid value as written', () => {
    expect(databaseUrl.parse(undefined)).toBe('file:./data/wagw.db');
    expect(databaseUrl.parse(' C:\\data\\wagw.db ')).toBe('C:\\data\\wagw.db');
  });

  it('refuses what the database layer could not open, saying why', () => {
    const result = databaseUrl.safeParse('sqlite:./data/wagw.db');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe(
      'expected a file: path (SQLite) or a postgres:// URL, got "sqlite:./data/wagw.db" ' +
        '(unsupported scheme "sqlite:"; use file:<path> (SQLite) or postgres:// (PostgreSQL))',
    );
  });
});

describe('redactUrl', () => {
  it('hides the user name and password of a URL, and leaves one without them alone', () => {
    expect(redactUrl('postgres://user:secret@h/db')).toBe('postgres://***@h/db');
    expect(redactUrl('redis://:secret@h:6379')).toBe('redis://***@h:6379');
    expect(redactUrl('file:./x.db')).toBe('file:./x.db');
  });
});
