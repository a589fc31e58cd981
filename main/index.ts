/** Electron entry point: hands Electron to the shell. */
import * as electron from 'electron';
import ElectronStore from 'electron-store';
import { join } from 'node:path';
import { startApp } from './electron/app';

startApp(electron, {
  outDir: join(__dirname, '..'),
  storeFactory: (options) => new ElectronStore(options as ConstructorParameters<typeof ElectronStore>[0]) as never,
});
