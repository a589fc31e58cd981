import { useCallback, useEffect, useRef, useState } from 'react';
import type { ErrorCode } from '../../main/contract';
import { toUiError, type UiError } from '../api';
import { errorText, fill, useStrings } from '../i18n';
import { useAppStore } from '../stores/app-store';

export interface FormSpec<K extends string> {
  /** the fields' names as people read them, for "Enter the From address" */
  labels: Record<K, string>;
  /** request paths main names in a refusal ("source.from", "source.to" for "source.to.2") that are this form's fields */
  paths?: Record<string, K>;
  /** error codes that are about one field, with the words to say there (else the code's own text) */
  codes?: Partial<Record<ErrorCode, K | [K, string]>>;
}

export interface FieldProblem {
  text: string;
  /** the technical reason main gave (RE2's for a pattern), shown small under the text */
  detail?: string;
}

export type Problems<K extends string> = Partial<Record<K, string | FieldProblem>>;

/**
 * The errors of one form: each next to its field, in the UI's language, checked here first
 * (empty required fields) and then placed from main's answer (the field a schema refused, or a
 * code that belongs to a field). What belongs to no field is `general`. Changing a field clears
 * what was said about it, and what was said about the whole form.
 */
export function useForm<K extends string>(spec: FormSpec<K>) {
  const t = useStrings();
  const lang = useAppStore((s) => s.language);
  const [errors, setErrors] = useState<Partial<Record<K, FieldProblem>>>({});
  const [general, setGeneral] = useState<UiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [focusTick, setFocusTick] = useState(0);
  const ref = useRef<HTMLFormElement & HTMLDivElement>(null);
  const specRef = useRef(spec);
  specRef.current = spec;

  useEffect(() => {
    if (focusTick === 0) return;
    const el = ref.current?.querySelector<HTMLElement>('[aria-invalid="true"], [data-invalid="true"]');
    el?.focus();
    if (el instanceof HTMLInputElement && el.type !== 'checkbox') el.select();
  }, [focusTick]);

  const fromServer = useCallback(
    (e: UiError): [K, FieldProblem] | null => {
      const s = specRef.current;
      if (e.code === 'IPC_INVALID' && e.field && s.paths) {
        const path = e.field.path;
        const key = Object.entries(s.paths).find(([p]) => path === p || path.startsWith(`${p}.`))?.[1] as K | undefined;
        if (key) {
          const text = fill(t.fieldIssue[e.field.issue], { label: s.labels[key], limit: e.field.limit ?? '' });
          return [key, { text }];
        }
      }
      const c = s.codes?.[e.code];
      if (c === undefined) return null;
      const [key, text] = Array.isArray(c) ? c : [c, errorText(e.code, lang)];
      return [key, { text, ...(e.code === 'PATTERN_INVALID' ? { detail: e.message } : {}) }];
    },
    [t, lang],
  );

  const show = useCallback((problems: Problems<K>) => {
    const out: Partial<Record<K, FieldProblem>> = {};
    for (const [k, v] of Object.entries(problems) as [K, string | FieldProblem | undefined][]) {
      if (v) out[k] = typeof v === 'string' ? { text: v } : v;
    }
    setErrors(out);
    setFocusTick((n) => n + 1);
  }, []);

  /** Checks first (`check` returns what is wrong), then runs `fn`; the value, or undefined when anything failed. */
  const run = useCallback(
    async <T>(check: () => Problems<K>, fn: () => Promise<T>): Promise<T | undefined> => {
      setGeneral(null);
      const problems = check();
      if (Object.values(problems).some(Boolean)) {
        show(problems);
        return undefined;
      }
      setErrors({});
      setBusy(true);
      try {
        return await fn();
      } catch (err) {
        const e = toUiError(err);
        const placed = fromServer(e);
        if (placed) show({ [placed[0]]: placed[1] } as Problems<K>);
        else setGeneral(e);
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [fromServer, show],
  );

  /** The field changed: what was said about it, and about the form, no longer holds. */
  const clear = useCallback((k?: K) => {
    setGeneral(null);
    setErrors((old) => {
      if (k === undefined) return {};
      if (!(k in old)) return old;
      const next = { ...old };
      delete next[k];
      return next;
    });
  }, []);

  /** Props for <Field>: its error and detail. */
  const field = (k: K): { error: string | null; detail: string | null } => ({
    error: errors[k]?.text ?? null,
    detail: errors[k]?.detail ?? null,
  });

  /** Props binding a text control to `k`: it shows `value`, and typing sets it and clears what was said about `k`. */
  const bind = (k: K, value: string, set: (v: string) => void) => ({
    value,
    onChange: (e: { target: { value: string } }) => {
      set(e.target.value);
      clear(k);
    },
  });

  return { ref, busy, errors, general, setGeneral, run, clear, field, bind, show };
}

/** The usual first check: these fields may not be empty. */
export function required<K extends string>(
  t: { fieldIssue: { required: string } },
  labels: Record<K, string>,
  values: Partial<Record<K, string>>,
): Problems<K> {
  const out: Problems<K> = {};
  for (const [k, v] of Object.entries(values) as [K, string][]) {
    if (!v.trim()) out[k] = fill(t.fieldIssue.required, { label: labels[k] });
  }
  return out;
}
