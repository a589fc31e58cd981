/**
 * Every reflection of a composition, kept beside the settings file (history/<composition id>.jsonl,
 * one JSON line per reflection): when, by whom, which file, its fingerprint, what changed, and the
 * settings it carried, so an older state can be sent again as a new, newer bundle.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DestinationException, HeaderException, HistoryEntry } from '../../contract';
import type { DomainContext } from './context';

export const HISTORY_DIR = 'history';

/** A history entry with the settings that reflection sent. */
export interface StoredHistoryEntry extends HistoryEntry {
  settings: {
    name: string;
    intelligentBcc: boolean;
    destinationExceptions: DestinationException[];
    headerExceptions: HeaderException[];
    certificateIds: string[];
  };
}

function file(ctx: DomainContext, compositionId: string): string {
  return join(ctx.dataDir, HISTORY_DIR, `${compositionId.replace(/[^A-Za-z0-9-]/g, '_')}.jsonl`);
}

export function appendHistory(ctx: DomainContext, compositionId: string, entry: StoredHistoryEntry): void {
  mkdirSync(join(ctx.dataDir, HISTORY_DIR), { recursive: true, mode: 0o700 });
  appendFileSync(file(ctx, compositionId), JSON.stringify(entry) + '\n', { mode: 0o600 });
}

/** The composition's reflections, newest first; damaged lines are skipped. */
export function readHistory(ctx: DomainContext, compositionId: string): StoredHistoryEntry[] {
  const path = file(ctx, compositionId);
  if (!existsSync(path)) return [];
  const out: StoredHistoryEntry[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as StoredHistoryEntry);
    } catch {
      // a line cut by a crash: the others still tell the story
    }
  }
  return out.reverse();
}

/** History as people see it (without the settings each entry carries). */
export function historyView(entries: StoredHistoryEntry[]): HistoryEntry[] {
  return entries.map(({ settings: _s, ...e }) => e);
}
