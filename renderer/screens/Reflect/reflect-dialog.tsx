import { useEffect, useRef, useState } from 'react';
import { ConfirmedSecret, confirmationProblem } from '../../components/confirmed-secret';
import { Dialog } from '../../components/dialog';
import { ErrorMessage } from '../../components/error-message';
import { useAction } from '../../components/use-action';
import { fill, useStrings } from '../../i18n';
import { useAppStore } from '../../stores/app-store';
import { useReflectStore, type ReviewTarget } from '../../stores/reflect-store';
import { Confirmations } from './confirmations';
import { ReviewSummary } from './review-summary';

/** The minimum passphrase length main enforces (bundle format), checked here first to say so early. */
export const MIN_PASSPHRASE = 12;

/**
 * Reflect one composition (or re-export one of its earlier reflections): the review first, each
 * confirmation ticked explicitly, the passphrase twice, progress, then the result on the screen.
 */
export function ReflectDialog({ target, onClose }: { target: ReviewTarget; onClose(): void }) {
  const t = useStrings();
  const { review, progress, loadReview, clearReview, reflect } = useReflectStore();
  const notify = useAppStore((s) => s.notify);
  const [value, setValue] = useState<[string, string]>(['', '']);
  const [problem, setProblem] = useState<string | null>(null);
  const [ticked, setTicked] = useState<ReadonlySet<string>>(new Set());
  const loading = useAction();
  const exporting = useAction();
  const { name, reexportOf } = target;
  const runLoad = loading.run;
  useEffect(() => {
    setTicked(new Set());
    void runLoad(() => loadReview({ name, ...(reexportOf !== undefined ? { reexportOf } : {}) }));
    return () => clearReview();
  }, [name, reexportOf, loadReview, clearReview, runLoad]);
  const shown = review && review.composition.name === name ? review : null;
  // the review arrives after the dialog opened: then the first thing to act on takes focus,
  // a confirmation to tick if there is one, else the passphrase
  const formRef = useRef<HTMLFormElement>(null);
  const loaded = shown !== null;
  useEffect(() => {
    if (!loaded) return;
    formRef.current
      ?.querySelector<HTMLElement>('input[type="checkbox"]:not([disabled]), input[type="password"]:not([disabled])')
      ?.focus();
  }, [loaded]);
  const keys = shown?.confirmationKeys ?? [];
  const allTicked = keys.every((k) => ticked.has(k));
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!shown || !allTicked) return;
    const p = confirmationProblem(value[0], value[1], MIN_PASSPHRASE);
    setProblem(p === 'too-short' ? t.reflect.tooShort : p === 'mismatch' ? t.reflect.mismatch : null);
    if (p) return;
    await exporting.run(async () => {
      if (await reflect(target, value[0], keys)) onClose();
      else notify(t.reflect.cancelled);
    });
  };
  const title =
    reexportOf !== undefined
      ? fill(t.review.reexportTitle, { name, serial: reexportOf })
      : fill(t.reflect.dialogTitle, { name });
  return (
    <Dialog title={title} onClose={onClose} wide>
      <ErrorMessage error={loading.error} />
      {!shown && !loading.error && <p className="muted">{t.common.loading}</p>}
      {shown && (
        <form ref={formRef} onSubmit={submit} className="stack">
          {reexportOf !== undefined && (
            <p className="warning-box">{fill(t.review.reexportNote, { serial: reexportOf })}</p>
          )}
          <ReviewSummary review={shown} />
          <Confirmations
            items={shown.confirmations.map((warning, i) => ({ key: keys[i]!, warning }))}
            checked={ticked}
            onChange={(key, on) =>
              setTicked((prev) => {
                const next = new Set(prev);
                if (on) next.add(key);
                else next.delete(key);
                return next;
              })
            }
          />
          <ConfirmedSecret
            label={t.reflect.passphrase}
            repeatLabel={t.reflect.passphrase2}
            hint={t.reflect.passphraseHint}
            value={value}
            onChange={setValue}
          />
          {problem && (
            <p className="error" role="alert">
              {problem}
            </p>
          )}
          <ErrorMessage error={exporting.error} />
          {exporting.busy && progress && progress.name === name && (
            <p role="status" aria-live="polite">
              {t.reflect.progress[progress.step]}
            </p>
          )}
          <div className="row end">
            <button type="button" onClick={onClose}>
              {t.common.cancel}
            </button>
            <button type="submit" className="primary" disabled={exporting.busy || !allTicked}>
              {exporting.busy ? t.common.working : t.reflect.export}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
