import fc from 'fast-check';
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { defaultDestinationExceptions, PatternSet, requiredSuffix } from '../../../main/core/relay/patterns';

describe('required literal suffix', () => {
  it.each([
    ['@(?:[^@]+\\.)?docomo\\.ne\\.jp$', 'docomo.ne.jp'],
    ['@example\\.com$', '@example.com'],
    ['@Example\\.COM$', '@example.com'],
    ['a|b\\.jp$', null],
    ['(a|b)\\.jp$', '.jp'],
    ['x+$', null],
    ['ab?c$', 'c'],
    ['foo\\$', null],
    ['\\bjp$', 'jp'],
    ['[a$]jp$', 'jp'],
    ['[]|]x$', 'x'],
    ['\\Qa.b\\E$', null],
    ['example.com$', 'com'],
    ['nothing', null],
  ])('%s → %s', (p, s) => {
    expect(requiredSuffix(p)).toBe(s);
  });
});

/** The definition: try the enabled patterns one by one, in order. */
function naive(patterns: { pattern: string; enabled: boolean }[], input: string): string | null {
  for (const p of patterns)
    if (p.enabled && RE2JS.compile(p.pattern, RE2JS.CASE_INSENSITIVE).test(input)) return p.pattern;
  return null;
}

const piece = fc.constantFrom(
  'a',
  'b',
  'jp',
  '\\.',
  '.',
  '@',
  'x+',
  '(a|b)',
  '[^@]+',
  '\\-',
  '-',
  'ſ',
  'K',
  '?',
  '|',
  'DOCOMO',
);
const pattern = fc
  .array(piece, { minLength: 1, maxLength: 6 })
  .map((ps) => ps.join('') + (Math.random() < 0.7 ? '$' : ''))
  .filter((p) => {
    try {
      RE2JS.compile(p);
      return true;
    } catch {
      return false;
    }
  });
const input = fc
  .array(fc.constantFrom('a', 'b', 'A', 'J', 'jp', '.', '@', '-', 'docomo', 'ſ', 'K', 'k', 'x'), { maxLength: 10 })
  .map((xs) => xs.join(''));

describe('PatternSet gives exactly what one-by-one RE2 evaluation gives', () => {
  it('for random patterns and inputs', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ pattern, enabled: fc.boolean() }), { minLength: 1, maxLength: 8 }),
        fc.array(input, { maxLength: 8 }),
        (pats, inputs) => {
          const set = new PatternSet(pats);
          for (const s of inputs) expect(set.firstMatch(s)?.pattern ?? null).toBe(naive(pats, s));
        },
      ),
      { numRuns: 600 },
    );
  });

  it('for the defaults and real-looking addresses', () => {
    const d = defaultDestinationExceptions(1).map((e) => ({ ...e, enabled: true }));
    const set = new PatternSet(d);
    for (const a of [
      'Taro@DoCoMo.ne.jp',
      'x@biz.ezweb.ne.jp',
      'x@ezweb.ne.jp.example',
      'y@i.softbank.jp',
      'z@au.com',
      'w@example.com',
      'ſ@docomo.ne.jp',
      'x@docomo.ne.jp\n',
    ]) {
      expect(set.firstMatch(a)?.pattern ?? null).toBe(naive(d, a));
    }
  });
});
