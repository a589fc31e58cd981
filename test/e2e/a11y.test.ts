/**
 * axe-core on every screen and every dialog, in English and Japanese, light and dark: zero
 * violations. The light runs also leave screenshots of the views in test-artifacts/screenshots.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/stores';
import { chromiumSuite, openApp, screenshot } from './harness';
import { axe, nav, seed, visible } from './steps';

const DAY = 86_400_000;
const env = chromiumSuite();
let infoP12: Buffer;
let oldP12: Buffer;
let soonP12: Buffer;

beforeAll(() => {
  infoP12 = env.p12({ emails: ['info@example.com'], cn: 'Example Shop' });
  oldP12 = env.p12({
    emails: ['old@example.com'],
    cn: 'Old Shop',
    notBefore: new Date(Date.now() - 400 * DAY),
    notAfter: new Date(Date.now() - 3 * DAY),
  });
  soonP12 = env.p12({
    emails: ['soon@example.com'],
    cn: 'Soon Shop',
    notBefore: new Date(Date.now() - 300 * DAY),
    notAfter: new Date(Date.now() + 5 * DAY),
  });
});

const WORDS = {
  en: {
    welcome: 'Welcome to smime-admin',
    certs: 'Certificates',
    comps: 'Server compositions',
    reflect: 'Reflect',
    test: 'Test message',
    settings: 'Settings',
    audit: 'Audit log',
    add: 'Add certificate',
    timeline: 'Timeline',
    table: 'Table',
    cancel: 'Cancel',
    send: 'Sign and preview',
    from: 'From',
    to: 'To',
    edit: /^Edit exception #\d+/,
    remove: /^Remove exception #\d+/,
    deleteComp: 'Delete composition',
    reflectBtn: 'Reflect…',
    changePw: 'Change password',
    create: 'Create',
    restore: 'Restore defaults',
  },
  ja: {
    welcome: 'smime-admin へようこそ',
    certs: '証明書',
    comps: 'サーバー構成',
    reflect: '反映',
    test: 'テストメッセージ',
    settings: '設定',
    audit: '監査ログ',
    add: '証明書を追加',
    timeline: 'タイムライン',
    table: '表',
    cancel: 'キャンセル',
    send: '署名してプレビュー',
    from: 'From',
    to: 'To',
    edit: /^例外 #\d+ .* を編集$/,
    remove: /^例外 #\d+ .* を削除$/,
    deleteComp: '構成を削除',
    reflectBtn: '反映…',
    changePw: 'パスワードを変更',
    create: '作成',
    restore: '既定に戻す',
  },
};

describe('accessibility (axe-core) on every screen and dialog', () => {
  for (const lang of ['en', 'ja'] as const) {
    for (const scheme of ['light', 'dark'] as const) {
      it(`finds no violation (${lang}, ${scheme})`, async () => {
        const w = WORDS[lang];
        const s = await openApp(env.browser, env.url, {
          locale: lang === 'ja' ? 'ja-JP' : 'en-US',
          colorScheme: scheme,
        });
        const { page } = s;
        const found: string[] = [];
        const shots = scheme === 'light';
        const check = async (where: string, shot?: string) => {
          await page.waitForTimeout(50);
          for (const v of await axe(page)) found.push(`${where}: ${v}`);
          if (shots && shot) await screenshot(page, lang, shot);
        };
        const dialog = page.getByRole('dialog');
        try {
          await visible(page.getByRole('heading', { name: w.welcome }));
          await check('first run');
          // a day's data: a valid, an expiring and an expired certificate, a composition using two of them
          await seed(
            s,
            [
              { email: 'info@example.com', p12: infoP12, password: 'p12-pass' },
              { email: 'old@example.com', p12: oldP12, password: 'p12-pass' },
              { email: 'soon@example.com', p12: soonP12, password: 'p12-pass' },
            ],
            [{ name: 'Newsletters', emails: ['info@example.com', 'old@example.com'] }],
          );
          s.service.addDestinationException('Newsletters', '@partner\\.example$', 'partner');
          await s.service.reflect('Newsletters', 'a long bundle passphrase', join(tempDir(), 'b.json'), undefined, {
            confirm: 'all',
          });
          await page.reload();
          await visible(page.locator('.cert-row[data-email="info@example.com"]'));
          await check('certificates', 'certificates-table');
          await page.getByRole('radio', { name: w.timeline }).check();
          await visible(page.getByTestId('timeline'));
          await check('timeline', 'expiry-timeline');
          await page.locator('.timeline-row[data-email="soon@example.com"]').click();
          await visible(page.getByTestId('certificate-detail'));
          await check('certificate detail', 'certificate-detail');
          await page.keyboard.press('Escape');
          await page.getByRole('radio', { name: w.table }).check();

          await page.getByRole('button', { name: w.add, exact: true }).click();
          await visible(dialog);
          s.nextOpen.set('p12', { name: 'soon.p12', bytes: soonP12 });
          await dialog.getByLabel(lang === 'en' ? 'PKCS#12 password' : 'PKCS#12 パスワード').fill('p12-pass');
          await dialog.getByRole('button', { name: lang === 'en' ? 'Choose file…' : 'ファイルを選択…' }).click();
          await dialog.getByRole('button', { name: lang === 'en' ? 'Inspect' : '内容を確認' }).click();
          await visible(dialog.getByTestId('inspect-emails'));
          await check('add certificate, inspected', 'add-certificate-inspected');
          await page.keyboard.press('Escape');

          await page
            .getByRole('button', { name: lang === 'en' ? 'Renew info@example.com' : 'info@example.com を更新' })
            .click();
          s.nextOpen.set('p12', { name: 'same.p12', bytes: infoP12 });
          await dialog.getByLabel(lang === 'en' ? 'PKCS#12 password' : 'PKCS#12 パスワード').fill('p12-pass');
          await dialog.getByRole('button', { name: lang === 'en' ? 'Choose file…' : 'ファイルを選択…' }).click();
          await dialog.getByLabel(lang === 'en' ? 'PKCS#12 password' : 'PKCS#12 パスワード').press('Enter');
          await visible(dialog.getByTestId('renew-risks'));
          await check('renew, the same certificate', 'renew-compare');
          await page.keyboard.press('Escape');

          await page
            .getByRole('button', { name: lang === 'en' ? 'Delete old@example.com' : 'old@example.com を削除' })
            .click();
          await visible(dialog.getByTestId('in-use'));
          await check('delete, blocked', 'delete-blocked');
          await page.keyboard.press('Escape');

          await nav(page, w.comps);
          const detail = page.locator('[data-composition="Newsletters"]');
          await page.getByRole('button', { name: 'Newsletters' }).click();
          await visible(detail);
          await check('compositions', 'compositions');
          await page.getByRole('button', { name: w.create }).click();
          await visible(page.locator('.field-error').first());
          await check('compositions, a field error');
          await detail.getByRole('button', { name: w.restore }).click();
          await visible(page.locator('.notice'));
          await check('compositions, a notice');
          await detail.getByRole('button', { name: w.edit }).first().click();
          await visible(detail.locator('tr.editing'));
          await check('compositions, an exception edited', 'exception-edit');
          await page.keyboard.press('Escape');
          await detail.getByRole('button', { name: w.remove }).first().click();
          await visible(page.getByTestId('confirm'));
          await check('remove exception, confirm', 'exception-remove');
          await page.keyboard.press('Escape');
          await detail.getByRole('button', { name: w.deleteComp }).click();
          await visible(page.getByTestId('confirm'));
          await check('delete composition, confirm');
          await page.keyboard.press('Escape');

          await nav(page, w.reflect);
          await visible(page.locator('li[data-composition="Newsletters"]'));
          await check('reflect');
          await page.getByRole('button', { name: w.reflectBtn, exact: true }).first().click();
          await visible(dialog);
          await check('reflect dialog (review)');
          await page.keyboard.press('Escape');

          await nav(page, w.audit);
          await visible(page.getByTestId('audit-entries'));
          await check('audit log', 'audit-log');

          await nav(page, w.test);
          await page.getByRole('button', { name: w.send }).click();
          await visible(page.locator('.field-error').first());
          await check('test message, field errors');
          await page.getByLabel(w.from, { exact: true }).fill('info@example.com');
          await page.getByLabel(w.to, { exact: true }).fill('a@example.org, x@docomo.ne.jp');
          await page.getByRole('button', { name: w.send }).click();
          await visible(page.getByTestId('readable'));
          await check('test message, preview', 'test-message-readable');

          await nav(page, w.settings);
          await page.getByRole('button', { name: w.changePw }).click();
          await visible(page.locator('.field-error').first());
          await check('settings, field errors', 'settings-errors');
        } catch (e) {
          await screenshot(page, lang, `failed-a11y-${scheme}`);
          throw e;
        } finally {
          await s.close();
        }
        expect(found).toEqual([]);
      }, 120_000);
    }
  }
});
