import { create } from 'zustand';
import type { TestSendResult } from '../../main/core/domain/service';

interface PreviewState {
  result: TestSendResult | null;
  sending: boolean;
  setSending(b: boolean): void;
  setResult(r: TestSendResult | null): void;
}

export const usePreviewStore = create<PreviewState>((set) => ({
  result: null,
  sending: false,
  setSending: (sending) => set({ sending }),
  setResult: (result) => set({ result }),
}));
