import { Fragment } from 'react';

/**
 * The tokens of a regular expression, in order: an escape (\.), a character class ([^@]), a
 * group opening ((?:), or one character. A line may break between tokens, never inside one.
 */
export function patternTokens(pattern: string): string[] {
  return pattern.match(/\\.|\[(?:\\.|[^\]\\])*\]|\(\?[:!=<]?|./gsu) ?? [];
}

/** Where a long pattern may wrap: before an escaped dot, an alternation, a group, an "@" (outside groups). */
const BREAK_BEFORE = /^(?:\\\.|\||\(|@)/;

/** The token indexes a line may break before. */
export function breakPoints(tokens: string[]): Set<number> {
  const out = new Set<number>();
  let depth = 0;
  tokens.forEach((tok, i) => {
    if (i > 0 && depth === 0 && BREAK_BEFORE.test(tok)) out.add(i);
    if (tok.startsWith('(')) depth++;
    else if (tok === ')' && depth > 0) depth--;
  });
  return out;
}

/** A pattern as code: it wraps between its tokens (before "\.", "|", "(", "@") rather than inside one. */
export function PatternText({ pattern, className = 'pattern' }: { pattern: string; className?: string }) {
  const tokens = patternTokens(pattern);
  const breaks = breakPoints(tokens);
  return (
    <code className={className}>
      {tokens.map((tok, i) => (
        <Fragment key={i}>
          {breaks.has(i) && <wbr />}
          {tok}
        </Fragment>
      ))}
    </code>
  );
}
