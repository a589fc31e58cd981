import { create } from 'zustand';
import type { PickedFile } from '../../main/contract';

/** A test message being written: kept while the admin visits other screens (or switches language). */
export interface TestDraft {
  /** the composition by id: a rename (here or in the CLI) keeps the choice, a deletion falls back to the first */
  compositionId: string;
  /** the send time, as a datetime-local value; empty until the screen first opens */
  at: string;
  mode: 'compose' | 'eml';
  values: {
    from: string;
    to: string;
    cc: string;
    bcc: string;
    copies: string;
    subject: string;
    body: string;
    mailFrom: string;
    rcpts: string;
  };
  attachments: { name: string; type: string; bytes: Uint8Array<ArrayBuffer> }[];
  eml: PickedFile | null;
}

export const useTestDraftStore = create<TestDraft>(() => ({
  compositionId: '',
  at: '',
  mode: 'compose',
  values: { from: '', to: '', cc: '', bcc: '', copies: '', subject: '', body: '', mailFrom: '', rcpts: '' },
  attachments: [],
  eml: null,
}));

type Update<T> = T | ((old: T) => T);

/** One field of the draft as [value, set], like useState. */
export function useDraft<K extends keyof TestDraft>(key: K): [TestDraft[K], (v: Update<TestDraft[K]>) => void] {
  const value = useTestDraftStore((s) => s[key]);
  const set = (v: Update<TestDraft[K]>) =>
    useTestDraftStore.setState(
      (s) =>
        ({
          [key]: typeof v === 'function' ? (v as (old: TestDraft[K]) => TestDraft[K])(s[key]) : v,
        }) as Partial<TestDraft>,
    );
  return [value, set];
}
