/**
 * The window opens where the admin left it: size and position kept in a small store of the
 * main process (electron-store in the app). A position off every screen is ignored by Electron.
 */
import type * as Electron from 'electron';

export interface Bounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
}

export interface BoundsStore {
  get(key: 'bounds'): unknown;
  set(key: 'bounds', value: Bounds): void;
}

const DEFAULT: Bounds = { width: 1200, height: 800 };

/** The remembered bounds, if they look like bounds; else the default size. */
export function restoreBounds(store: BoundsStore | undefined): Bounds {
  const b = store?.get('bounds') as Partial<Bounds> | undefined;
  const ok = (n: unknown, min: number) => typeof n === 'number' && Number.isFinite(n) && n >= min && n <= 20_000;
  if (!b || !ok(b.width, 400) || !ok(b.height, 300)) return DEFAULT;
  return {
    width: b.width!,
    height: b.height!,
    ...(typeof b.x === 'number' && typeof b.y === 'number' ? { x: b.x, y: b.y } : {}),
  };
}

/** Remembers the window's bounds when it is moved, resized or closed. */
export function trackBounds(
  win: Pick<Electron.BrowserWindow, 'on' | 'getBounds'>,
  store: BoundsStore | undefined,
): void {
  if (!store) return;
  const save = (): void => store.set('bounds', win.getBounds());
  win.on('resized', save);
  win.on('moved', save);
  win.on('close', save);
}
