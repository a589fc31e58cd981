import type { ReflectWarning } from '../../../main/contract';
import { fill, useCodeText, useStrings } from '../../i18n';

export interface ConfirmationItem {
  /** what the admin's tick stands for (sent back to main as the confirmation) */
  key: string;
  warning: ReflectWarning;
}

/** Each thing a reflection needs confirmed, shown prominently, with its own "I understand" checkbox. */
export function Confirmations({
  items,
  checked,
  onChange,
}: {
  items: ConfirmationItem[];
  checked: ReadonlySet<string>;
  onChange(key: string, on: boolean): void;
}) {
  const t = useStrings();
  const codes = useCodeText();
  if (items.length === 0) return null;
  return (
    <section className="confirmations" aria-label={t.review.confirmTitle} data-testid="confirmations">
      <h3>{t.review.confirmTitle}</h3>
      <p className="small">{t.review.confirmHint}</p>
      <ul>
        {items.map(({ key, warning }) => (
          <li key={key} data-code={warning.code} className={checked.has(key) ? 'confirmed' : undefined}>
            <label>
              <input type="checkbox" checked={checked.has(key)} onChange={(e) => onChange(key, e.target.checked)} />{' '}
              {fill(t.review.understand, { text: codes.reflect(warning) })}
            </label>
          </li>
        ))}
      </ul>
    </section>
  );
}
