import { setLogSink } from '../../main/logging';
import { describe, expect, it } from 'vitest';
import { menuTemplate } from '../../main/electron/menu';
setLogSink(() => undefined);

describe('menu', () => {
  it('has the usual roles and the app screens with shortcuts, in both languages', () => {
    const sent: string[] = [];
    const t = menuTemplate('linux', 'ja', (c) => sent.push(c));
    const json = JSON.stringify(t);
    for (const role of ['editMenu', 'windowMenu', 'quit', 'togglefullscreen']) expect(json).toContain(role);
    expect(json).toContain('サーバー構成');
    const view = t.find((m) => m.label === '表示')!;
    const items = view.submenu as { label?: string; accelerator?: string; click?: () => void }[];
    items[0]!.click!();
    const audit = items.find((i) => i.label === '監査ログ')!;
    expect(audit.accelerator).toBe('CmdOrCtrl+5');
    audit.click!();
    expect(sent).toEqual(['go-certificates', 'go-audit']);
    expect(JSON.stringify(menuTemplate('darwin', 'en', () => undefined))).toContain('appMenu');
  });
});
