import type { SmimeApi } from '../preload/api';

declare global {
  interface Window {
    readonly smime: SmimeApi;
  }
}
export {};
