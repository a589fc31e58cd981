import { Fragment } from 'react';

/**
 * The tokens of a regular expression, in order: an escape (\.), a character class ([^@]), a
 * group opening ((?:), or one character. A line may break between tokens, never inside one.
 */
export function patternTokens(pattern: string): string[] {
  return pattern.match(/\\.|\[(?:\\.|[^\]\\])*\]|\(\?[:!=<]?|./gsu) ?? [];
}

/** Where a long pattern may wrap: before an escaped dot, an alternation, a group, an "@". */
const BREAK_BEFORE = /^(?:\\\.|\||\(|@)/;

/** A pattern as code: it wraps between its tokens (before "\.", "|", "(", "@") rather than inside one. */
export function PatternText({ pattern, className = 'pattern' }: { pattern: string; className?: string }) {
  const tokens = patternTokens(pattern);
  return (
    <code className={className}>
      {tokens.map((tok, i) => (
        <Fragment key={i}>
          {i > 0 && BREAK_BEFORE.test(tok) && <wbr />}
          {tok}
        </Fragment>
      ))}
    </code>
  );
}
