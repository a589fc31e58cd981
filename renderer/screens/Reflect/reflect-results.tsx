import type { ReflectResult } from '../../../main/contract';
import { formatBytes, useCodeText, useStrings } from '../../i18n';

/** What a reflection wrote: file, size, SHA-256, its number, where it was published. Presentational. */
export function ReflectResults({ results }: { results: ReflectResult[] }) {
  const t = useStrings();
  const codes = useCodeText();
  if (results.length === 0) return null;
  return (
    <section className="card success" aria-labelledby="result-title" data-testid="reflect-result">
      <h2 id="result-title">{results.length === 1 ? t.reflect.result : t.reflectAll.results}</h2>
      {results.map((result) => (
        <div key={`${result.composition}-${result.serial}`} data-composition={result.composition}>
          {results.length > 1 && <h3>{result.composition}</h3>}
          <dl>
            <dt>{t.review.serial}</dt>
            <dd data-testid="result-serial">{result.serial}</dd>
            <dt>{t.reflect.file}</dt>
            <dd className="mono">{result.file}</dd>
            <dt>{t.reflect.size}</dt>
            <dd>{formatBytes(result.size)}</dd>
            <dt>{t.reflect.fingerprint}</dt>
            <dd className="mono small">{result.fingerprintSha256}</dd>
            <dt>{t.reflect.certificates}</dt>
            <dd>{result.certificates}</dd>
            <dt>{t.review.published}</dt>
            <dd className={result.published ? 'mono' : 'muted'}>{result.published ?? t.review.notPublished}</dd>
          </dl>
          {result.warnings.length > 0 && (
            <ul className="warnings">
              {result.warnings.map((w, i) => (
                <li key={i} className="sev-warning" data-code={w.code}>
                  {codes.reflect(w)}
                </li>
              ))}
            </ul>
          )}
        </div>
      ))}
    </section>
  );
}
