import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { apiEnv, schedulerEnv, workerEnv } from '../src/index.js';

const exampleFile = fileURLToPath(new URL('../../../.env.example', import.meta.url));

describe('.env.example', () => {
  const text = readFileSync(exampleFile, 'utf8');
  const listed = new Set([...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1] as string));
  const known = new Set([...Object.keys(apiEnv), ...Object.keys(workerEnv), ...Object.keys(schedulerEnv)]);

  it('lists every variable the processes read', () => {
    expect([...known].filter((name) => !listed.has(name))).toEqual([]);
  });

  it('lists nothing the processes do not read', () => {
    expect([...listed].filter((name) => !known.has(name))).toEqual([]);
  });

  it('comments every variable', () => {
    for (const name of known) {
      const block = text.split(new RegExp(`^#?\\s*${name}=`, 'm'))[0] ?? '';
      const previousLine = block.trimEnd().split('\n').at(-1) ?? '';
      expect(previousLine, `${name} needs a comment line above it`).toMatch(/^#\s+\S/);
    }
  });
});
