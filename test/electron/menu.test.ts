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
    (view.submenu as { click?: () => void }[])[0]!.click!();
    expect(sent).toEqual(['go-certificates']);
    expect(JSON.stringify(menuTemplate('darwin', 'en', () => undefined))).toContain('appMenu');
  });
});
