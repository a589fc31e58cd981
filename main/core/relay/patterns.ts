/**
 * Exception patterns, evaluated with RE2 semantics (re2js): linear time in the input,
 * so no pattern an admin types can hang a signer. Lookaround and backreferences,
 * which would need backtracking, are refused with the reason.
 */
import { RE2JS } from 're2js';
import { SmimeError } from '../errors';
import { PATTERN_MAX, type DestinationException, type HeaderException } from '../../contract';

/** The longest pattern: the same bound as an IPC request's (the contract's PATTERN_MAX). */
export const MAX_PATTERN_LENGTH = PATTERN_MAX;

/** Compiles a pattern case-insensitively, or throws PATTERN_INVALID with RE2's reason. */
export function compilePattern(pattern: string): RE2JS {
  if (pattern.length === 0) throw new SmimeError('PATTERN_INVALID', 'the pattern is empty');
  if (pattern.length > MAX_PATTERN_LENGTH)
    throw new SmimeError('PATTERN_INVALID', `the pattern is longer than ${MAX_PATTERN_LENGTH} characters`);
  if (/[\r\n]/.test(pattern)) throw new SmimeError('PATTERN_INVALID', 'the pattern contains a line break');
  if (/[\u0000-\u001f\u007f]/.test(pattern)) {
    throw new SmimeError(
      'PATTERN_INVALID',
      'the pattern contains a control character; write it as an escape such as \\t',
    );
  }
  try {
    return RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE);
  } catch (e) {
    const msg = (e as Error).message.replace(/^error parsing regexp: /, '').replace('`(?i)', '`');
    const hint = /\(\?[=!<]/.test(pattern)
      ? ' (lookahead and lookbehind are not supported: they need backtracking)'
      : /\\[1-9]/.test(pattern)
        ? ' (backreferences are not supported: they need backtracking)'
        : '';
    // quoted as typed: JSON.stringify would show a typed \. as \\.
    throw new SmimeError('PATTERN_INVALID', `invalid pattern "${pattern}": ${msg}${hint}`);
  }
}

/** RFC 5322 field name: printable ASCII except colon. */
export function validateHeaderName(name: string): string {
  const n = name.trim();
  if (!/^[\x21-\x39\x3b-\x7e]{1,76}$/.test(n))
    throw new SmimeError(
      'HEADER_NAME_INVALID',
      `"${name}" is not a header field name (letters, digits and hyphens, no colon)`,
    );
  return n;
}

const sub = (domain: string) => `@(?:[^@]+\\.)?${domain.replace(/\./g, '\\.')}$`;

/** Japanese mobile-carrier mail domains whose feature phones cannot show S/MIME (subdomains included). */
export const FEATURE_PHONE_DOMAINS = [
  'docomo.ne.jp',
  'ezweb.ne.jp',
  'softbank.ne.jp',
  'vodafone.ne.jp',
  'disney.ne.jp',
  'pdx.ne.jp',
  'willcom.com',
  'wcm.ne.jp',
  'emnet.ne.jp',
  'emobile.ne.jp',
  'ymobile.ne.jp',
  'y-mobile.ne.jp',
];

/** Carrier mail of smartphones; an optional preset, off until the admin turns it on. */
export const SMARTPHONE_DOMAINS = ['i.softbank.jp', 'au.com'];

export function defaultDestinationExceptions(startId: number): DestinationException[] {
  let id = startId;
  return [
    ...FEATURE_PHONE_DOMAINS.map((d) => ({
      id: id++,
      pattern: sub(d),
      enabled: true,
      isDefault: true,
      preset: 'feature-phone' as const,
      note: d,
    })),
    ...SMARTPHONE_DOMAINS.map((d) => ({
      id: id++,
      pattern: sub(d),
      enabled: false,
      isDefault: true,
      preset: 'smartphone' as const,
      note: d,
    })),
  ];
}

/** Content types that mean the mail is already signed or encrypted (RFC 8551 §3). */
export function defaultHeaderExceptions(startId: number): HeaderException[] {
  let id = startId;
  return [
    { pattern: '^multipart/signed', note: 'already signed' },
    { pattern: '^application/(x-)?pkcs7-mime', note: 'already signed or encrypted' },
    { pattern: '^application/(x-)?pkcs7-signature', note: 'a detached signature' },
    { pattern: '^multipart/encrypted', note: 'already encrypted' },
  ].map((h) => ({
    id: id++,
    header: 'Content-Type',
    pattern: h.pattern,
    enabled: true,
    isDefault: true,
    note: h.note,
  }));
}

/**
 * The literal text a pattern requires at the very end of its input, lower-cased, or null
 * when there is none we can be sure of. "@(?:[^@]+\\.)?docomo\\.ne\\.jp$" requires
 * "docomo.ne.jp". Only plain ASCII letters, digits and a few escaped punctuation
 * characters count; a top-level alternation, \\Q quoting or anything else gives null.
 */
export function requiredSuffix(pattern: string): string | null {
  if (!pattern.endsWith('$') || pattern.includes('\\Q')) return null;
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      if (pattern[i + 1] === '^') i++;
      if (pattern[i + 1] === ']') i++;
    } else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return null;
  }
  const escapes = (pos: number): number => {
    let k = 0;
    while (pos - 1 - k >= 0 && pattern[pos - 1 - k] === '\\') k++;
    return k;
  };
  if (escapes(pattern.length - 1) % 2 === 1) return null; // "\\$" is a literal dollar
  let out = '';
  let i = pattern.length - 2;
  while (i >= 0) {
    const c = pattern[i]!;
    const escaped = escapes(i) % 2 === 1;
    if (escaped && /[.@_\-]/.test(c)) {
      out = c + out;
      i -= 2;
    } else if (!escaped && /[A-Za-z0-9@_-]/.test(c)) {
      out = c + out;
      i -= 1;
    } else break;
  }
  return out.length > 0 ? out.toLowerCase() : null;
}

const PLAIN_ASCII = /^[\x20-\x7e]*$/;

/**
 * The enabled patterns of a list, compiled once. `firstMatch` gives the first pattern,
 * in list order, that matches: exactly what trying them one by one with RE2 gives. To
 * get there fast, a pattern whose required literal suffix the input lacks is skipped
 * without running it (for printable-ASCII input, where lower-casing is exact), and the
 * remaining patterns are screened with one combined automaton.
 */
export class PatternSet<T extends { pattern: string; enabled: boolean }> {
  private readonly compiled: { rule: T; re: RE2JS; suffix: string | null }[];
  private readonly others: RE2JS | null;

  constructor(rules: readonly T[]) {
    this.compiled = rules
      .filter((r) => r.enabled)
      .map((rule) => ({ rule, re: compilePattern(rule.pattern), suffix: requiredSuffix(rule.pattern) }));
    const rest = this.compiled.filter((c) => c.suffix === null);
    this.others =
      rest.length > 0
        ? RE2JS.compile(rest.map((c) => `(?:${c.rule.pattern})`).join('|'), RE2JS.CASE_INSENSITIVE)
        : null;
  }

  firstMatch(input: string): T | null {
    if (!PLAIN_ASCII.test(input)) {
      for (const c of this.compiled) if (c.re.test(input)) return c.rule;
      return null;
    }
    const lower = input.toLowerCase();
    const othersMayMatch = this.others !== null && this.others.test(input);
    for (const c of this.compiled) {
      if (c.suffix === null ? othersMayMatch : lower.endsWith(c.suffix)) {
        if (c.re.test(input)) return c.rule;
      }
    }
    return null;
  }
}
