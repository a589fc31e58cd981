/** The threat model names, for each mitigation, the test that shows it: every file and test name it cites must exist. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const squash = (s: string) => s.replace(/\s+/g, ' ');

describe('docs/security.md', () => {
  it('cites only test files and test names that exist', () => {
    const doc = readFileSync(join(root, 'docs', 'security.md'), 'utf8');
    const cited = [...doc.matchAll(/`(test\/[^`]+\.test\.tsx?)`\s*(?:—)?\s*((?:"[^"]+",?\s*(?:and\s*)?)*)/g)];
    expect(cited.length).toBeGreaterThan(20);
    const missing: string[] = [];
    for (const [, file, names] of cited) {
      if (!existsSync(join(root, file!))) {
        missing.push(file!);
        continue;
      }
      const src = squash(readFileSync(join(root, file!), 'utf8'));
      for (const [, name] of (names ?? '').matchAll(/"([^"]+)"/g)) {
        const n = squash(name!.replace('…', '')).trim();
        if (!src.includes(n)) missing.push(`${file}: ${n}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
