import type { PendingChange } from '../../../main/contract';
import { useStrings } from '../../i18n';

/** Pending changes (or the changes of a reflection) as a list: the kind in words, the subject as data. */
export function ChangesList({ changes, empty }: { changes: PendingChange[]; empty?: string }) {
  const t = useStrings();
  if (changes.length === 0) return empty ? <p className="muted">{empty}</p> : null;
  return (
    <ul className="changes">
      {changes.map((c, i) => (
        <li key={`${c.kind}-${i}`} data-kind={c.kind}>
          {t.reflect.kind[c.kind]}: <span className="mono">{c.subject}</span>
        </li>
      ))}
    </ul>
  );
}
