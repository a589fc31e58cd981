import { useCallback, useState } from 'react';
import { toUiError, type UiError } from '../api';

/**
 * Busy and error state around an async call to main: the pattern every form uses.
 * `run` resolves to the call's value, or undefined when it failed (the error is kept).
 */
export function useAction(): {
  busy: boolean;
  error: UiError | null;
  setError(e: UiError | null): void;
  run<T>(fn: () => Promise<T>): Promise<T | undefined>;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<UiError | null>(null);
  const run = useCallback(async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await fn();
    } catch (e) {
      setError(toUiError(e));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}
