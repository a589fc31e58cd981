import type { DestinationException, HeaderException, ReflectReview } from '../../../main/contract';
import { StatusBadge } from '../../components/status-badge';
import { WarningsList } from '../../components/warnings-list';
import { fill, formatDate, useStrings } from '../../i18n';
import { useAppStore, useNativeDialogs } from '../../stores/app-store';
import { ChangesList } from './changes-list';

type Exception = DestinationException | HeaderException;

const describe = (e: Exception): string => ('header' in e ? `${e.header}: ${e.pattern}` : e.pattern);

/** One kind of exception: the admin's own listed, the defaults folded away (they rarely change). */
function Exceptions({ title, list, testId }: { title: string; list: Exception[]; testId: string }) {
  const t = useStrings();
  const own = list.filter((e) => !e.isDefault);
  const defaults = list.filter((e) => e.isDefault);
  return (
    <div data-testid={testId}>
      <h4>{fill(title, { n: list.filter((e) => e.enabled).length })}</h4>
      {own.length === 0 ? (
        <p className="muted small">{t.review.ownNone}</p>
      ) : (
        <ul className="plain-list">
          {own.map((e) => (
            <li key={e.id} className={e.enabled ? undefined : 'muted'}>
              #{e.id} <span className="mono">{describe(e)}</span> {!e.enabled && t.review.offMark}
            </li>
          ))}
        </ul>
      )}
      {defaults.length > 0 && (
        <details>
          <summary>
            {fill(t.review.defaults, { n: defaults.length, on: defaults.filter((e) => e.enabled).length })}
          </summary>
          <ul className="plain-list">
            {defaults.map((e) => (
              <li key={e.id} className={e.enabled ? undefined : 'muted'}>
                #{e.id} <span className="mono">{describe(e)}</span> {!e.enabled && t.review.offMark}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

/** Exactly what a reflection sends, and how that differs from the last one. Presentational. */
export function ReviewSummary({ review }: { review: ReflectReview }) {
  const t = useStrings();
  const native = useNativeDialogs();
  const lang = useAppStore((s) => s.language);
  const last = review.lastReflection;
  return (
    <div className="review" data-testid="review">
      <p className="muted">
        {last
          ? fill(t.review.lastReflection, { serial: last.serial ?? '?', at: formatDate(last.at, lang, true) })
          : t.review.neverReflected}
      </p>
      <h3>{t.review.whatGoesOut}</h3>
      <h4>{fill(t.review.certificates, { n: review.certificates.length })}</h4>
      {review.certificates.length === 0 ? (
        <p className="muted small">{t.review.noCertificates}</p>
      ) : (
        <table className="table compact" data-testid="review-certificates">
          <thead>
            <tr>
              <th scope="col">{t.review.colAddress}</th>
              <th scope="col">{t.review.colValidity}</th>
              <th scope="col">{t.review.colStatus}</th>
            </tr>
          </thead>
          <tbody>
            {review.certificates.map((c) => (
              <tr key={c.fingerprintSha256} data-email={c.email}>
                <td>
                  <span className="mono">{c.email}</span>
                  {c.warnings.length > 0 && <WarningsList warnings={c.warnings} />}
                </td>
                <td>
                  {fill(t.review.validity, { from: formatDate(c.notBefore, lang), to: formatDate(c.notAfter, lang) })}
                </td>
                <td>
                  <StatusBadge status={c.status} daysLeft={c.daysLeft} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Exceptions title={t.review.destinations} list={review.destinationExceptions} testId="review-destinations" />
      <Exceptions title={t.review.headers} list={review.headerExceptions} testId="review-headers" />
      <p>
        {t.review.bcc}:{' '}
        <span className={review.intelligentBcc ? 'badge ok' : 'badge neutral'}>
          {review.intelligentBcc ? t.common.on : t.common.off}
        </span>
      </p>
      <h3>{t.review.changes}</h3>
      <div data-testid="review-changes">
        <ChangesList changes={review.changes} empty={t.review.noChanges} />
      </div>
      <h3>{t.review.target}</h3>
      <p>
        {review.publishDir
          ? fill(t.review.toPublish, { dir: review.publishDir })
          : native
            ? t.review.toChosen
            : t.review.toExports}
      </p>
      <p className="muted small mono">{fill(t.review.fileName, { name: review.suggestedFileName })}</p>
    </div>
  );
}
