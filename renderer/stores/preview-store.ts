import { create } from 'zustand';
import type { Request, TestSendResult } from '../../main/contract';
import { api, unwrap } from '../api';

interface PreviewState {
  result: TestSendResult | null;
  sending: boolean;
  /** the file each delivery of this preview was saved as (by delivery id): a new preview starts with none */
  saved: Record<string, string>;
  /** runs the test message through the composition; a failure clears the preview and throws */
  send(req: Request<'test:send'>): Promise<TestSendResult>;
  /** saves one delivery's exact bytes as an .eml; the file name chosen, or null when cancelled */
  save(delivery: string, suggestedName: string): Promise<string | null>;
}

export const usePreviewStore = create<PreviewState>((set, get) => ({
  result: null,
  sending: false,
  saved: {},
  async send(req) {
    set({ sending: true, saved: {} });
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
    if (r.saved && r.name) set({ saved: { ...get().saved, [delivery]: r.name } });
    return r.saved ? r.name : null;
  },
}));
