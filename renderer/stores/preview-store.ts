import { create } from 'zustand';
import type { Request, TestSendResult } from '../../main/contract';
import { api, unwrap } from '../api';

interface PreviewState {
  result: TestSendResult | null;
  sending: boolean;
  /** runs the test message through the composition; a failure clears the preview and throws */
  send(req: Request<'test:send'>): Promise<TestSendResult>;
  /** saves one delivery's exact bytes as an .eml; the file name chosen, or null when cancelled */
  save(delivery: string, suggestedName: string): Promise<string | null>;
}

export const usePreviewStore = create<PreviewState>((set) => ({
  result: null,
  sending: false,
  async send(req) {
    set({ sending: true });
    try {
      const result = await unwrap(api().testSend(req));
      set({ result });
      return result;
    } catch (e) {
      set({ result: null });
      throw e;
    } finally {
      set({ sending: false });
    }
  },
  async save(delivery, suggestedName) {
    const r = await unwrap(api().saveEml({ delivery, suggestedName }));
    return r.saved ? r.name : null;
  },
}));
