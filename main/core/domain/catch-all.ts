/**
 * Exceptions that match every ordinary address or header value: with one of them on, all mail of
 * the composition goes out unsigned. The reflect review asks the admin to confirm such an
 * exception, and the composition's views mark it, so the table shows it before any reflection.
 */
import { compilePattern } from '../relay/patterns';

/** Addresses of every kind a relay sees; a destination pattern matching all of them unsigns all mail. */
const ORDINARY_ADDRESSES = [
  'info@example.com',
  'taro.yamada@example.co.jp',
  'a.b+tag@mail.example.org',
  'user123@gmail.com',
  'support@sub.example.net',
  'x@example.jp',
];

/** Values a header typically carries, by name; any other header is tried with the general ones. */
const ORDINARY_VALUES: Record<string, string[]> = {
  'content-type': ['text/plain; charset=UTF-8', 'multipart/mixed; boundary="b1"', 'text/html; charset=ISO-2022-JP'],
  subject: ['Your order 2026-1128', 'ご注文ありがとうございます', 'Newsletter'],
  from: ['Info <info@example.com>', 'taro@example.co.jp'],
};
const GENERAL_VALUES = ['yes', 'Newsletter 2026-11', 'campaign-42', '<abc.123@example.com>', 'text/plain'];

function matchesAll(pattern: string, samples: string[]): boolean {
  try {
    const re = compilePattern(pattern);
    return samples.every((s) => re.test(s));
  } catch {
    return false;
  }
}

/** Answers by pattern, kept for the life of the process: a list of a thousand compositions repeats the same few. */
const known = new Map<string, boolean>();
const KNOWN_AT_MOST = 10_000;

function remembered(key: string, compute: () => boolean): boolean {
  let v = known.get(key);
  if (v === undefined) {
    if (known.size >= KNOWN_AT_MOST) known.clear();
    v = compute();
    known.set(key, v);
  }
  return v;
}

/** Does a destination pattern match every kind of ordinary address (so nothing would be signed)? */
export function destinationMatchesEverything(pattern: string): boolean {
  return remembered(`d\n${pattern}`, () => matchesAll(pattern, ORDINARY_ADDRESSES));
}

/** Does a header pattern match every ordinary value of that header (any header: the general values)? */
export function headerMatchesEverything(header: string, pattern: string): boolean {
  const name = header.toLowerCase();
  return remembered(`h\n${name}\n${pattern}`, () => matchesAll(pattern, ORDINARY_VALUES[name] ?? GENERAL_VALUES));
}
