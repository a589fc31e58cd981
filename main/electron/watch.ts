/**
 * The window shows what the CLI (or a second session) changed: the data folder is watched and a
 * change of the settings file or the certificate folder becomes one `state:changed` event, after
 * the writes settle. The lock and journal files are ours in passing and are ignored.
 */
import { watch, type FSWatcher } from 'node:fs';

const RELEVANT = /^(config\.json|certs|audit\.log)$/;

/** Calls `onChange` (debounced by `settleMs`) when the state files change; returns a function that stops watching. */
export function watchDataFolder(dataDir: string, onChange: () => void, settleMs = 300): () => void {
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dataDir, { persistent: false }, (_event, name) => {
      if (name && !RELEVANT.test(String(name))) return;
      clearTimeout(timer);
      timer = setTimeout(onChange, settleMs);
    });
  } catch {
    return () => undefined; // no folder yet, or no watching on this file system: the window still works, without live updates
  }
  return () => {
    clearTimeout(timer);
    watcher?.close();
  };
}
