import { useEffect, useState } from 'react';
import { ConfirmedSecret, confirmationProblem } from '../../components/confirmed-secret';
import { Dialog } from '../../components/dialog';
import { ErrorMessage } from '../../components/error-message';
import { useAction } from '../../components/use-action';
import { fill, useStrings } from '../../i18n';
import { useAppStore, useNativeDialogs } from '../../stores/app-store';
import { confirmKey, useReflectStore } from '../../stores/reflect-store';
import { ChangesList } from './changes-list';
import { Confirmations } from './confirmations';
import { MIN_PASSPHRASE } from './reflect-dialog';

/** Reflect every composition with pending changes: a summary of each review, one passphrase, every item confirmed. */
export function ReflectAllDialog({ onClose }: { onClose(): void }) {
  const t = useStrings();
  const native = useNativeDialogs();
  const { reviewsAll, loadReviewsAll, reflectAll } = useReflectStore();
  const notify = useAppStore((s) => s.notify);
  const [value, setValue] = useState<[string, string]>(['', '']);
  const [problem, setProblem] = useState<string | null>(null);
  const [ticked, setTicked] = useState<ReadonlySet<string>>(new Set());
  const loading = useAction();
  const exporting = useAction();
  const runLoad = loading.run;
  useEffect(() => {
    void runLoad(loadReviewsAll);
  }, [runLoad, loadReviewsAll]);
  const reviews = reviewsAll ?? [];
  const items = reviews.flatMap((r) =>
    r.confirmations.map((warning, i) => ({
      key: confirmKey(r.composition.name, r.confirmationKeys[i]!),
      warning,
      composition: r.composition.name,
    })),
  );
  const allTicked = items.every((i) => ticked.has(i.key));
  const toggle = (key: string, on: boolean) =>
    setTicked((prev) => {
      const next = new Set(prev);
      if (on) next.add(key);
      else next.delete(key);
      return next;
    });
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!allTicked || reviews.length === 0) return;
    const p = confirmationProblem(value[0], value[1], MIN_PASSPHRASE);
    setProblem(p === 'too-short' ? t.reflect.tooShort : p === 'mismatch' ? t.reflect.mismatch : null);
    if (p) return;
    await exporting.run(async () => {
      const results = await reflectAll(value[0], [...ticked]);
      if (results) {
        notify(fill(t.reflectAll.done, { n: results.length }));
        onClose();
      } else notify(t.reflect.cancelled);
    });
  };
  return (
    <Dialog title={t.reflectAll.title} onClose={onClose} wide>
      <ErrorMessage error={loading.error} />
      {reviewsAll === null && !loading.error && <p className="muted">{t.common.loading}</p>}
      {reviewsAll !== null && reviews.length === 0 && <p>{t.reflectAll.none}</p>}
      {reviews.length > 0 && (
        <form onSubmit={submit} className="stack">
          <p>{t.reflectAll.intro}</p>
          <ul className="plain-list review-all" data-testid="review-all">
            {reviews.map((r) => (
              <li key={r.composition.id} className="card" data-composition={r.composition.name}>
                <h3>{r.composition.name}</h3>
                <p className="muted small">
                  {fill(t.reflectAll.certificates, { n: r.certificates.length })} ·{' '}
                  {fill(t.reflectAll.changes, { n: r.changes.length })} ·{' '}
                  {r.publishDir ? t.reflectAll.toPublish : native ? t.reflectAll.toChosen : t.reflectAll.toExports}
                </p>
                <ChangesList changes={r.changes} />
                <Confirmations
                  items={items.filter((i) => i.composition === r.composition.name)}
                  checked={ticked}
                  onChange={toggle}
                />
              </li>
            ))}
          </ul>
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
          {exporting.error?.code === 'REFLECT_NOT_CONFIRMED' && (
            <p className="warning-box" role="alert">
              {t.reflectAll.changedMeanwhile}
            </p>
          )}
          <ErrorMessage error={exporting.error} />
          <div className="row end">
            <button type="button" onClick={onClose}>
              {t.common.cancel}
            </button>
            <button type="submit" className="primary" disabled={exporting.busy || !allTicked}>
              {exporting.busy ? t.common.working : fill(t.reflectAll.export, { n: reviews.length })}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
