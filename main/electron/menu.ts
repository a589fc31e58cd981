/** The application menu: the usual roles and shortcuts, plus the app's own screens. */
import type { MenuItemConstructorOptions } from 'electron';
import type { EventTypes } from '../contract/channels';

type Command = EventTypes['menu:command']['command'];

const LABELS = {
  en: {
    file: 'File',
    addCert: 'Add Certificate…',
    view: 'View',
    certificates: 'Certificates',
    compositions: 'Server Compositions',
    reflect: 'Reflect',
    test: 'Test Message',
    audit: 'Audit Log',
    settings: 'Settings…',
    edit: 'Edit',
    window: 'Window',
    help: 'Help',
  },
  ja: {
    file: 'ファイル',
    addCert: '証明書を追加…',
    view: '表示',
    certificates: '証明書',
    compositions: 'サーバー構成',
    reflect: '反映',
    test: 'テストメッセージ',
    audit: '監査ログ',
    settings: '設定…',
    edit: '編集',
    window: 'ウインドウ',
    help: 'ヘルプ',
  },
};

export function menuTemplate(
  platform: string,
  language: 'en' | 'ja',
  send: (c: Command) => void,
): MenuItemConstructorOptions[] {
  const l = LABELS[language];
  const mac = platform === 'darwin';
  return [
    ...(mac ? [{ role: 'appMenu' as const }] : []),
    {
      label: l.file,
      submenu: [
        { label: l.addCert, accelerator: 'CmdOrCtrl+N', click: () => send('add-certificate') },
        { type: 'separator' },
        { label: l.settings, accelerator: 'CmdOrCtrl+,', click: () => send('go-settings') },
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { label: l.edit, role: 'editMenu' },
    {
      label: l.view,
      submenu: [
        { label: l.certificates, accelerator: 'CmdOrCtrl+1', click: () => send('go-certificates') },
        { label: l.compositions, accelerator: 'CmdOrCtrl+2', click: () => send('go-compositions') },
        { label: l.reflect, accelerator: 'CmdOrCtrl+3', click: () => send('go-reflect') },
        { label: l.test, accelerator: 'CmdOrCtrl+4', click: () => send('go-test') },
        { label: l.audit, accelerator: 'CmdOrCtrl+5', click: () => send('go-audit') },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { label: l.window, role: 'windowMenu' },
  ];
}
