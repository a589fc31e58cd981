/** Electron entry point: hands Electron to the shell. */
import * as electron from 'electron';
import ElectronStore from 'electron-store';
import { join } from 'node:path';
import { startApp } from './electron/app';

startApp(electron, {
  outDir: join(__dirname, '..'),
  // the window's size and position; the admin state itself lives in the service worker (conf, same format)
  windowState: new ElectronStore({ name: 'window-state' }) as never,
});
