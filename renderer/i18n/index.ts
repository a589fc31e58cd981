import { Fragment, createElement, type ReactNode } from 'react';
import type { CertWarning, Decision, ReflectWarning, VerifyFailure } from '../../main/contract';
import { decisionText, reflectWarningText, verifyFailureText, warningText } from '../../main/contract/messages';
import { useAppStore } from '../stores/app-store';
import { ERROR_TEXT } from './errors';
import { en, ja, type Strings } from './strings';

export type Language = 'en' | 'ja';

export function strings(lang: Language): Strings {
  return lang === 'ja' ? ja : en;
}

/** `{n|one|other}` picks the word for the number n: English has "1 certificate", "2 certificates". */
const PLURAL = /\{(\w+)\|([^|{}]*)\|([^|{}]*)\}/g;

function plurals(template: string, values: Record<string, unknown>): string {
  return template.replace(PLURAL, (m, k: string, one: string, other: string) => {
    const v = values[k];
    // a count may come formatted for display ("10,000")
    const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v.replace(/[,\s]/g, '')) : NaN;
    return Number.isNaN(n) ? m : n === 1 ? one : other;
  });
}

/** Fills {name} placeholders, and {n|one|other} with the word for the count. */
export function fill(template: string, values: Record<string, string | number> = {}): string {
  return plurals(template, values).replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
}

/** Fills {name} placeholders with elements (a pattern as code inside a sentence): the words stay in one string. */
export function fillNodes(template: string, values: Record<string, ReactNode>): ReactNode[] {
  return plurals(template, values)
    .split(/(\{\w+\})/)
    .map((piece, i) => {
      const k = /^\{(\w+)\}$/.exec(piece)?.[1];
      return createElement(Fragment, { key: i }, k !== undefined && k in values ? values[k] : piece);
    });
}

export function useStrings(): Strings {
  return strings(useAppStore((s) => s.language));
}

/** Words for the codes main sends (warnings, decisions, verification failures, reflect warnings), in the UI's language. */
export function useCodeText(): {
  warning(w: CertWarning): string;
  decision(d: Decision): string;
  verify(f: VerifyFailure): string;
  reflect(w: ReflectWarning): string;
} {
  const lang = useAppStore((s) => s.language);
  return {
    warning: (w) => warningText(w, lang),
    decision: (d) => decisionText(d, lang),
    verify: (f) => verifyFailureText(f, lang),
    reflect: (w) => reflectWarningText(w, lang),
  };
}

export function errorText(code: keyof typeof ERROR_TEXT, lang: Language): string {
  return (ERROR_TEXT[code] ?? ERROR_TEXT.INTERNAL)[lang];
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** A date as the language writes it; formatters are made once (a list of ten thousand formats ten thousand dates). */
export function formatDate(iso: string, lang: Language, withTime: boolean | 'seconds' = false): string {
  const key = `${lang}:${withTime}`;
  let f = dateFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(
      lang === 'ja' ? 'ja-JP' : 'en-GB',
      withTime
        ? { dateStyle: 'medium', timeStyle: withTime === 'seconds' ? 'medium' : 'short' }
        : { dateStyle: 'medium' },
    );
    dateFormats.set(key, f);
  }
  return f.format(new Date(iso));
}

/**
 * "a, b and c" / 「a、b、c」: a list as the language writes one (Intl.ListFormat); `narrow` leaves
 * out the "and": "a, b, c".
 */
export function formatList(items: string[], lang: Language, style: 'long' | 'narrow' = 'long'): string {
  return new Intl.ListFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', { style, type: 'conjunction' }).format(items);
}

/** A count as the language groups digits: 10,000 / 10,000. */
export function formatCount(n: number, lang: Language): string {
  return new Intl.NumberFormat(lang === 'ja' ? 'ja-JP' : 'en-GB').format(n);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
