/**
 * The whole admin day with the keyboard alone: Tab and Shift+Tab to reach things, Enter and Space
 * to use them, Escape to leave, typing. No click, no locator.focus(): if a control cannot be
 * reached in the page's own Tab order, the test fails.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRelayConfig } from '../../main/core/relay/config';
import { chromiumSuite, openApp, screenshot } from './harness';
import { tabTo, text, visible, expectFocus } from './steps';

const env = chromiumSuite();
let infoP12: Buffer;

beforeAll(() => {
  infoP12 = env.p12({ emails: ['info@example.com'], cn: 'Example Shop' });
});

/** To another screen through the sidebar, backwards from wherever focus is; the screen's heading gets focus. */
async function goTo(page: Page, name: string) {
  await tabTo(page, page.getByRole('navigation').getByRole('button', { name: new RegExp(`^${name}`) }), {
    back: true,
    max: 200,
  });
  await page.keyboard.press('Enter');
  await page.waitForFunction(
    (n) => document.activeElement?.tagName === 'H1' && document.activeElement.textContent === n,
    name,
  );
}

describe('keyboard only', () => {
  it('an admin day: set up, add a certificate, a composition with an exception, a test message, reflect, a refused delete, Japanese', async () => {
    const s = await openApp(env.browser, env.url);
    const { page } = s;
    const kb = page.keyboard;
    const dialog = page.getByRole('dialog');
    try {
      // first run
      await visible(page.getByRole('heading', { name: 'Welcome to smime-admin' }));
      await kb.press('Tab');
      await expectFocus(page, 'input:Admin password');
      await kb.type('correct horse battery');
      await kb.press('Tab');
      await kb.type('correct horse battery');
      await kb.press('Enter');
      await visible(page.getByText('No certificates yet.'));

      // add a certificate
      await tabTo(page, page.getByRole('button', { name: 'Add certificate' }));
      await kb.press('Enter');
      await visible(dialog);
      await expectFocus(page, 'input:From address');
      await kb.type('info@example.com');
      await kb.press('Tab');
      await kb.type('p12-pass');
      await kb.press('Tab');
      await expectFocus(page, 'button:Choose file…');
      s.nextOpen.set('p12', { name: 'info.p12', bytes: infoP12 });
      await kb.press('Enter');
      await visible(dialog.getByText(/info\.p12 \(/));
      await kb.press('Shift+Tab');
      await kb.press('Enter');
      await visible(dialog.getByTestId('inspect-emails'));
      await kb.press('Enter');
      await dialog.waitFor({ state: 'detached' });
      await visible(page.locator('.cert-row[data-email="info@example.com"]'));
      await expectFocus(page, 'button:Add certificate');

      // its detail, from the table
      await tabTo(page, page.getByRole('button', { name: 'Details of info@example.com' }));
      await kb.press('Enter');
      await visible(page.getByTestId('certificate-detail'));
      await expectFocus(page, 'button:Close');
      await kb.press('Escape');
      await page.getByTestId('certificate-detail').waitFor({ state: 'detached' });

      // a composition: created, the certificate checked, an exception added and edited
      await goTo(page, 'Server compositions');
      await kb.press('Tab');
      await expectFocus(page, 'input:New composition name');
      await kb.type('Newsletters');
      await kb.press('Enter');
      const detail = page.locator('[data-composition="Newsletters"]');
      await visible(detail);
      await tabTo(page, detail.getByRole('checkbox', { name: 'info@example.com' }));
      await kb.press('Space');
      await visible(detail.getByRole('checkbox', { name: 'info@example.com', checked: true }));
      const dest = page.locator('section[aria-labelledby="dest-title"]');
      await tabTo(page, dest.getByLabel('Pattern', { exact: true }), { max: 120 });
      await kb.type('@partner\\.example$');
      await kb.press('Tab');
      await kb.type('partner');
      await kb.press('Enter');
      const row = dest.locator('tbody tr', { hasText: 'partner' });
      await visible(row.locator('code.pattern'));
      await tabTo(page, row.getByRole('button', { name: /^Edit exception/ }), { back: true, max: 120 });
      await kb.press('Enter');
      await expectFocus(page, 'input:Pattern');
      await kb.press('End');
      await kb.press('Backspace');
      await kb.type('\\.jp$');
      await kb.press('Enter');
      await visible(row.locator('code.pattern', { hasText: '@partner\\.example\\.jp$' }));
      await expectFocus(page, /^button:Edit exception #\d+ @partner\\\.example\\\.jp\$$/);

      // a test message and its preview; the source is scrolled with the keyboard
      await goTo(page, 'Test message');
      await tabTo(page, page.getByLabel('From', { exact: true }));
      await kb.type('info@example.com');
      await kb.press('Tab');
      await kb.type('a@example.org, x@docomo.ne.jp');
      await tabTo(page, page.getByRole('button', { name: 'Sign and preview' }));
      await kb.press('Enter');
      const preview = page.getByTestId('preview');
      await visible(preview.getByTestId('verification'));
      expect(await text(preview.getByTestId('verification'))).toContain('Signature valid');
      await tabTo(page, preview.locator('section[data-delivery="sign"] .mime pre').first(), { max: 40 });
      await expectFocus(page, /^pre:/);

      // reflect: the dialog from the keyboard, Enter exports
      await goTo(page, 'Reflect');
      await tabTo(page, page.getByRole('button', { name: 'Reflect…' }));
      await kb.press('Enter');
      await visible(dialog);
      await expectFocus(page, 'input:Bundle passphrase');
      await kb.type('a long bundle passphrase');
      await kb.press('Tab');
      await kb.type('a long bundle passphrase');
      await kb.press('Enter');
      await visible(page.getByTestId('reflect-result'));
      const bundle = join(
        s.saveDir,
        readdirSync(s.saveDir).find((f) => f.endsWith('.smime-bundle.json'))!,
      );
      const policy = loadRelayConfig(readFileSync(bundle), 'a long bundle passphrase').policy;
      expect(policy.destinations.firstMatch('a@partner.example.jp')?.pattern).toBe('@partner\\.example\\.jp$');

      // unchecked but still on the servers: the delete dialog says so first and offers the way there
      await goTo(page, 'Server compositions');
      await tabTo(page, detail.getByRole('checkbox', { name: 'info@example.com' }));
      await kb.press('Space');
      await visible(detail.getByRole('checkbox', { name: 'info@example.com', checked: false }));
      await goTo(page, 'Certificates');
      await tabTo(page, page.getByRole('button', { name: 'Delete info@example.com' }));
      await kb.press('Enter');
      await visible(dialog.getByTestId('in-use'));
      await expectFocus(page, 'button:Go to Newsletters');
      await kb.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      await expectFocus(page, 'button:Delete info@example.com');

      // settings: the language, with the arrow keys
      await goTo(page, 'Settings');
      await kb.press('Tab');
      await expectFocus(page, 'select:Language');
      await kb.press('ArrowDown');
      await kb.press('ArrowDown');
      await visible(page.getByRole('heading', { name: '設定' }));
      await screenshot(page, 'ja', 'keyboard-settings');
    } catch (e) {
      await screenshot(page, 'en', 'failed-keyboard');
      throw e;
    } finally {
      await s.close();
    }
  }, 120_000);
});
