/** Sandboxed preload: exposes exactly the contract as window.smime. */
import { contextBridge, ipcRenderer } from 'electron';
import { createApi } from './api';

const api = createApi(
  (channel, request) => ipcRenderer.invoke(channel, request),
  (event, listener) => {
    const wrapped = (_e: unknown, payload: unknown) => listener(payload);
    ipcRenderer.on(event, wrapped);
    return () => {
      ipcRenderer.removeListener(event, wrapped);
    };
  },
);

contextBridge.exposeInMainWorld('smime', api);
