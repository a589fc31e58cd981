/**
 * Issue 13, "the screens as a demanding admin uses them": every defect reported there, as the
 * admin met it, in the production renderer over the real core.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/stores';
import { chromiumSuite, openApp, screenshot, type Session } from './harness';
import { ADMIN_PASSWORD, dropFile, nav, seed, tabTo, text, visible, expectFocus } from './steps';

const DAY = 86_400_000;
const env = chromiumSuite();
let infoP12: Buffer;
let otherP12: Buffer;
let olderP12: Buffer;
let expiredP12: Buffer;

beforeAll(() => {
  infoP12 = env.p12({ emails: ['info@example.com'], cn: 'Example Shop' });
  otherP12 = env.p12({ emails: ['other@example.com'], cn: 'Other Shop' });
  olderP12 = env.p12({
    emails: ['info@example.com'],
    cn: 'Example Shop (old)',
    notBefore: new Date(Date.now() - 100 * DAY),
    notAfter: new Date(Date.now() + 60 * DAY),
  });
  expiredP12 = env.p12({
    emails: ['info@example.com'],
    cn: 'Example Shop (expired)',
    notBefore: new Date(Date.now() - 400 * DAY),
    notAfter: new Date(Date.now() - 2 * DAY),
  });
});

const info = () => ({ email: 'info@example.com', p12: infoP12, password: 'p12-pass' });

/** Runs a test in a fresh session; on failure a screenshot shows where it stood. */
async function session(name: string, opts: Parameters<typeof openApp>[2], body: (s: Session) => Promise<void>) {
  const s = await openApp(env.browser, env.url, opts);
  try {
    await body(s);
  } catch (e) {
    await screenshot(s.page, 'en', `failed-${name}`);
    throw e;
  } finally {
    await s.close();
  }
}

const insideDialog = (page: Page) =>
  page.evaluate(() => !!document.activeElement?.closest('[role="dialog"]') && document.activeElement !== document.body);

describe('issue 13: the screens as a demanding admin uses them', () => {
  it('1. defaults offer only their switch; Restore defaults turns them on again and is audited', async () => {
    await session('defaults', {}, async (s) => {
      const { page } = s;
      await seed(s, [info()], [{ name: 'Newsletters', emails: ['info@example.com'] }]);
      s.service.addDestinationException('Newsletters', '@partner\\.example$', 'partner');
      await nav(page, 'Server compositions');
      await page.getByRole('button', { name: 'Newsletters' }).click();
      const detail = page.locator('[data-composition="Newsletters"]');
      const docomo = detail.locator('tr[data-exception="1"]');
      await visible(docomo);
      // a default: its switch and nothing else
      expect(await docomo.getByRole('button').count()).toBe(0);
      expect(await detail.locator('tr[data-exception="15"]').getByRole('button').count()).toBe(0);
      const mine = detail.locator('tbody tr', { hasText: 'partner\\.example' });
      expect(await mine.getByRole('button', { name: /^Edit exception #\d+ @partner\\\.example\$$/ }).count()).toBe(1);
      // turned off by mistake, a default and a header default come back with one click
      await docomo.getByRole('checkbox').click();
      await visible(docomo.getByRole('checkbox', { checked: false }));
      await detail.locator('tr[data-exception="15"]').getByRole('checkbox').click();
      await visible(detail.locator('tr[data-exception="15"]').getByRole('checkbox', { checked: false }));
      await detail.getByRole('button', { name: 'Restore defaults' }).click();
      await visible(docomo.getByRole('checkbox', { checked: true }));
      await visible(detail.locator('tr[data-exception="15"]').getByRole('checkbox', { checked: true }));
      await visible(page.getByText('Defaults restored in "Newsletters".'));
      const audit = readFileSync(join(s.dataDir, 'audit.log'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(audit.at(-1)).toMatchObject({
        action: 'exception.restore-defaults',
        target: 'Newsletters',
        details: { enabled: 2, added: 0 },
      });
    });
  }, 60_000);

  it('2. the preview keeps the body of an unsigned multipart message and shows every message decoded', async () => {
    await session('preview', {}, async (s) => {
      const { page } = s;
      await seed(s, [info()], [{ name: 'Newsletters', emails: ['info@example.com'] }]);
      await nav(page, 'Test message');
      await page.getByLabel('From', { exact: true }).fill('info@example.com');
      await page.getByLabel('To', { exact: true }).fill('taro@docomo.ne.jp');
      await page.getByLabel('Subject').fill('ご請求書');
      await page.getByLabel('Body').fill('ご注文を承りました。\n請求書を添付します。');
      await page.getByTestId('file-input-attachments').setInputFiles({
        name: '請求書.pdf',
        mimeType: 'application/pdf',
        buffer: Buffer.from('%PDF-1.4 test'),
      });
      await page.getByRole('button', { name: 'Sign and preview' }).click();
      const unsigned = page.locator('section[data-delivery="unsigned"]');
      await visible(unsigned);
      const parts = await unsigned.locator('.mime summary').allInnerTexts();
      expect(parts).toEqual(['MIME source', 'Header', 'Part 1: text/plain', 'Part 2: application/pdf']);
      const readable = unsigned.getByTestId('readable');
      expect(await text(readable)).toContain('Subject ご請求書');
      expect(await text(readable.locator('pre'))).toBe('ご注文を承りました。 請求書を添付します。');
      expect(await text(readable.locator('.attachment'))).toMatch(
        /^Attachment 請求書\.pdf \(application\/pdf, 13 B\)$/,
      );
      // every source block can be scrolled with the keyboard
      const pres = await unsigned.locator('pre').evaluateAll((els) => els.map((e) => e.getAttribute('tabindex')));
      expect(pres.length).toBeGreaterThan(2);
      expect(new Set(pres)).toEqual(new Set(['0']));

      // an .eml in Shift_JIS (8-bit) with an ISO-2022-JP subject: decoded in main from its bytes
      const sjis = Buffer.from([0x82, 0xb1, 0x82, 0xf1, 0x82, 0xc9, 0x82, 0xbf, 0x82, 0xcd]);
      s.nextOpen.set('eml', {
        name: 'sjis.eml',
        bytes: Buffer.concat([
          Buffer.from(
            'From: info@example.com\r\nTo: a@example.org\r\nSubject: =?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?=\r\nContent-Type: text/plain; charset=Shift_JIS\r\nContent-Transfer-Encoding: 8bit\r\n\r\n',
            'latin1',
          ),
          sjis,
          Buffer.from('\r\n', 'latin1'),
        ]),
      });
      await page.getByRole('radio', { name: 'Open .eml' }).check();
      await page.getByRole('button', { name: 'Choose file…' }).click();
      await visible(page.getByText(/sjis\.eml \(/));
      await page.getByLabel('Recipients').fill('a@example.org\nb@docomo.ne.jp');
      await page.getByRole('button', { name: 'Sign and preview' }).click();
      await visible(page.locator('section[data-delivery="sign"]').getByTestId('verification'));
      for (const action of ['sign', 'unsigned']) {
        const r = page.locator(`section[data-delivery="${action}"]`).getByTestId('readable');
        expect(await text(r)).toContain('Subject こんにちは');
        expect(await text(r.locator('pre'))).toBe('こんにちは');
        expect(await text(r)).toContain('charset Shift_JIS');
      }
      await screenshot(page, 'en', 'preview-decoded-sjis');
    });
  }, 60_000);

  it('3. a dialog is modal: first field focused, focus kept after a failure, Escape always, Tab trapped, Enter submits', async () => {
    await session('modal', {}, async (s) => {
      const { page } = s;
      await seed(s, [info()]);
      const dialog = page.getByRole('dialog');
      const opener = page.getByRole('button', { name: 'Delete info@example.com' });
      await opener.click();
      await visible(dialog);
      await page.waitForFunction(() => document.activeElement?.tagName === 'INPUT');
      await expectFocus(page, 'input:Admin password');
      // everything behind it is inert
      expect(await page.locator('nav.sidebar').evaluate((n) => !!n.closest('[inert]'))).toBe(true);
      // a wrong password, Enter: the error is said at the field, which keeps focus
      await page.keyboard.type('wrong password');
      await page.keyboard.press('Enter');
      await visible(dialog.getByText('The admin password is wrong.'));
      await expectFocus(page, 'input:Admin password');
      expect(await dialog.getByLabel('Admin password').getAttribute('aria-invalid')).toBe('true');
      // Tab never leaves the dialog
      for (let i = 0; i < 12; i++) {
        await page.keyboard.press(i % 3 === 2 ? 'Shift+Tab' : 'Tab');
        expect(await insideDialog(page)).toBe(true);
      }
      // Escape closes; focus goes back to the button that opened it
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      await page.waitForFunction(
        () => document.activeElement?.getAttribute('aria-label') === 'Delete info@example.com',
      );
      expect(await page.locator('nav.sidebar').evaluate((n) => !!n.closest('[inert]'))).toBe(false);
      // a click on the backdrop takes nothing: Escape still closes
      await opener.click();
      await visible(dialog);
      await page.mouse.click(8, 400);
      expect(await insideDialog(page)).toBe(true);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });

      // Enter submits: Add (inspect, then save) and Renew; Delete
      await page.getByRole('button', { name: 'Add certificate' }).click();
      await expectFocus(page, 'input:From address');
      await page.keyboard.type('other@example.com');
      await page.keyboard.press('Tab');
      await page.keyboard.type('p12-pass');
      s.nextOpen.set('p12', { name: 'other.p12', bytes: otherP12 });
      await dialog.getByRole('button', { name: 'Choose file…' }).click();
      await visible(dialog.getByText(/other\.p12 \(/));
      await dialog.getByLabel('PKCS#12 password').press('Enter');
      await visible(dialog.getByTestId('inspect-emails'));
      await dialog.getByLabel('PKCS#12 password').press('Enter');
      await dialog.waitFor({ state: 'detached' });
      await visible(page.locator('.cert-row[data-email="other@example.com"]'));
      await page.getByRole('button', { name: 'Renew other@example.com' }).click();
      await expectFocus(page, 'input:PKCS#12 password');
      await page.keyboard.type('p12-pass');
      s.nextOpen.set('p12', {
        name: 'renewed.p12',
        bytes: readFileSync(
          env.pki.p12(env.pki.leaf({ emails: ['other@example.com'], cn: 'Other Shop 2' }), { password: 'p12-pass' }),
        ),
      });
      await dialog.getByRole('button', { name: 'Choose file…' }).click();
      await visible(dialog.getByText(/renewed\.p12 \(/));
      await dialog.getByLabel('PKCS#12 password').press('Enter');
      await visible(dialog.getByTestId('renew-compare'));
      await dialog.getByLabel('PKCS#12 password').press('Enter');
      await dialog.waitFor({ state: 'detached' });
      expect(await text(page.locator('.cert-row[data-email="other@example.com"]'))).toContain('Other Shop 2');
      await page.getByRole('button', { name: 'Delete other@example.com' }).click();
      await page.keyboard.type(ADMIN_PASSWORD);
      await page.keyboard.press('Enter');
      await page.locator('.cert-row[data-email="other@example.com"]').waitFor({ state: 'detached' });
    });
  }, 90_000);

  it('4. errors say what is wrong with the field, next to it, in the UI language', async () => {
    await session('errors', {}, async (s) => {
      const { page } = s;
      await seed(s, [info()], [{ name: 'Newsletters', emails: ['info@example.com'] }]);
      // an empty From: checked here, said at the field
      await nav(page, 'Test message');
      await page.getByLabel('To', { exact: true }).fill('a@example.org');
      await page.getByRole('button', { name: 'Sign and preview' }).click();
      const from = page.getByLabel('From', { exact: true });
      await visible(page.getByText('From is required.'));
      expect(await from.getAttribute('aria-invalid')).toBe('true');
      const described = await from.getAttribute('aria-describedby');
      expect(await page.locator(`[id="${described!.split(' ')[0]}"]`).innerText()).toBe('From is required.');
      expect(await page.locator('body').innerText()).not.toContain('malformed');
      await expectFocus(page, 'input:From');
      await from.fill('info@example.com');
      expect(await page.getByText('From is required.').count()).toBe(0);

      // a header name that is not one: said as such, at the header name
      await nav(page, 'Server compositions');
      await page.getByRole('button', { name: 'Newsletters' }).click();
      const hdr = page.locator('section[aria-labelledby="hdr-title"]');
      await hdr.getByLabel('Header name').fill('X Campaign');
      await hdr.getByLabel('Value pattern').fill('^no-sign');
      await hdr.getByRole('button', { name: 'Add exception' }).click();
      await visible(hdr.getByText('A header name is letters, digits and hyphens, without spaces or a colon.'));
      expect(await hdr.getByText('The pattern is not valid.').count()).toBe(0);
      expect(await hdr.getByLabel('Header name').getAttribute('aria-invalid')).toBe('true');
      // what main refuses by its schema lands at the field too (a note of more than 200 characters)
      await hdr.getByLabel('Header name').fill('X-Campaign');
      await hdr.getByLabel('Note').fill('n'.repeat(201));
      await hdr.getByRole('button', { name: 'Add exception' }).click();
      await visible(hdr.getByText('Note is too long: at most 200 characters.'));
      expect(await hdr.getByLabel('Note').getAttribute('aria-invalid')).toBe('true');
      // a pattern is quoted as typed
      const dest = page.locator('section[aria-labelledby="dest-title"]');
      await dest.getByLabel('Pattern', { exact: true }).fill('@example\\.(com');
      await visible(dest.getByText('The pattern is not valid.'));
      expect(await text(dest.locator('.field-error-detail'))).toContain('invalid pattern "@example\\.(com"');
      expect(await text(dest.locator('.field-error-detail'))).not.toContain('\\\\.');

      // in Japanese
      await s.service.updateSettings({ language: 'ja' });
      await page.reload();
      await nav(page, 'テストメッセージ');
      await page.getByRole('button', { name: '署名してプレビュー' }).click();
      await visible(page.getByText('Fromを入力してください。'));
      await visible(page.getByText('To、Cc、Bcc のいずれかに宛先を入力してください。'));
    });
  }, 60_000);

  it('5. nothing stale: file errors, saved notices, scroll position, settings errors in view; a confirmation field', async () => {
    await session('stale', {}, async (s) => {
      const { page } = s;
      await seed(s, [info()], [{ name: 'Newsletters', emails: ['info@example.com'] }]);
      const dialog = page.getByRole('dialog');
      // a wrong password, then the right one and another file: the old error is gone
      await page.getByRole('button', { name: 'Add certificate' }).click();
      await dialog.getByLabel('PKCS#12 password').fill('wrong');
      await dropFile(page, 'drop-p12', 'info.p12', infoP12);
      await visible(dialog.getByText(/info\.p12 \(/));
      await dialog.getByRole('button', { name: 'Inspect' }).click();
      await visible(dialog.getByText('The PKCS#12 password is wrong.'));
      await dialog.getByLabel('PKCS#12 password').fill('p12-pass');
      expect(await dialog.getByText('The PKCS#12 password is wrong.').count()).toBe(0);
      await dialog.getByLabel('PKCS#12 password').fill('wrong');
      await dialog.getByRole('button', { name: 'Inspect' }).click();
      await visible(dialog.getByText('The PKCS#12 password is wrong.'));
      await dropFile(page, 'drop-p12', 'other.p12', otherP12);
      await visible(dialog.getByText(/other\.p12 \(/));
      expect(await dialog.getByText('The PKCS#12 password is wrong.').count()).toBe(0);
      await page.keyboard.press('Escape');

      // "Saved …" belongs to the preview it was saved from
      await nav(page, 'Test message');
      await page.getByLabel('From', { exact: true }).fill('info@example.com');
      await page.getByLabel('To', { exact: true }).fill('x@docomo.ne.jp');
      await page.getByRole('button', { name: 'Sign and preview' }).click();
      await page.getByRole('button', { name: 'Save as .eml' }).click();
      await visible(page.getByText(/^Saved unsigned-x@docomo\.ne\.jp\.eml$/));
      await page.getByRole('button', { name: 'Sign and preview' }).click();
      await visible(page.locator('section[data-delivery="unsigned"]'));
      await page.waitForTimeout(200);
      expect(await page.getByText(/^Saved /).count()).toBe(0);

      // a screen opens at its top, its heading focused
      await nav(page, 'Server compositions');
      await page.getByRole('button', { name: 'Newsletters' }).click();
      await page.locator('main.content').evaluate((m) => m.scrollTo({ top: 5000 }));
      expect(await page.locator('main.content').evaluate((m) => m.scrollTop)).toBeGreaterThan(500);
      await nav(page, 'Settings');
      await page.waitForFunction(() => document.activeElement?.tagName === 'H1');
      await expectFocus(page, 'h1:Settings');
      expect(await page.locator('main.content').evaluate((m) => m.scrollTop)).toBe(0);

      // a wrong current password is said inside its form, in view; the new one is typed twice
      const form = page.locator('form', { has: page.getByRole('heading', { name: 'Change admin password' }) });
      await form.getByLabel('Current admin password').fill('not the password');
      await form.getByLabel('New admin password', { exact: true }).fill('a new admin password');
      await form.getByLabel('Repeat the new admin password').fill('a new admin passwort');
      await form.getByRole('button', { name: 'Change password' }).click();
      await visible(form.getByText('The two new passwords differ.'));
      await form.getByLabel('Repeat the new admin password').fill('a new admin password');
      await form.getByRole('button', { name: 'Change password' }).click();
      const wrong = form.getByText('The admin password is wrong.');
      await visible(wrong);
      const inView = await wrong.evaluate((el) => {
        const r = el.getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight;
      });
      expect(inView).toBe(true);
      await form.getByLabel('Current admin password').fill(ADMIN_PASSWORD);
      await form.getByRole('button', { name: 'Change password' }).click();
      await visible(page.getByText('Admin password changed.'));
      expect(() => s.service.verifyAdminPassword('a new admin password')).not.toThrow();
    });
  }, 60_000);

  it('6. delete: "used by" stays until reflected, and the refusal comes before the admin password', async () => {
    await session('delete', {}, async (s) => {
      const { page } = s;
      await seed(s, [info()], [{ name: 'Newsletters', emails: ['info@example.com'] }]);
      await s.service.reflect('Newsletters', 'a long bundle passphrase', join(tempDir(), 'b.json'));
      await page.reload();
      await nav(page, 'Server compositions');
      await page.getByRole('button', { name: 'Newsletters' }).click();
      const detail = page.locator('[data-composition="Newsletters"]');
      await detail.getByRole('checkbox', { name: 'info@example.com' }).click();
      await visible(detail.getByRole('checkbox', { name: 'info@example.com', checked: false }));
      await nav(page, 'Certificates');
      const row = page.locator('.cert-row[data-email="info@example.com"]');
      expect(await text(row.locator('.col-used'))).toBe('Newsletters (until reflected)');
      await page.getByRole('button', { name: 'Delete info@example.com' }).click();
      const dialog = page.getByRole('dialog');
      const inUse = dialog.getByTestId('in-use');
      await visible(inUse);
      expect(await text(inUse)).toContain(
        'the mail servers still use it through “Newsletters”: reflect that composition first Go to Newsletters',
      );
      expect(await dialog.getByLabel('Admin password').isDisabled()).toBe(true);
      expect(await dialog.getByRole('button', { name: 'Delete certificate' }).isDisabled()).toBe(true);
      await expectFocus(page, 'button:Go to Newsletters');
      await screenshot(page, 'en', 'delete-until-reflected');
      await dialog.getByRole('button', { name: 'Go to Newsletters' }).click();
      await visible(detail);
    });
  }, 60_000);

  it('7. exception edits: Escape cancels, Enter saves, drafts survive leaving, header and note editable, removal confirmed', async () => {
    await session('edit', {}, async (s) => {
      const { page } = s;
      await seed(s, [info()], [{ name: 'Newsletters', emails: [] }]);
      const mine = s.service.addDestinationException('Newsletters', '@example\\.com$', 'ours');
      const hdr = s.service.addHeaderException('Newsletters', 'X-Campaign', '^no-sign');
      await nav(page, 'Server compositions');
      await page.getByRole('button', { name: 'Newsletters' }).click();
      const detail = page.locator('[data-composition="Newsletters"]');
      const row = detail.locator(`tr[data-exception="${mine.id}"]`);
      const edit = row.getByRole('button', { name: `Edit exception #${mine.id} @example\\.com$` });
      const remove = row.getByRole('button', { name: `Remove exception #${mine.id} @example\\.com$` });
      expect(await remove.count()).toBe(1);
      // Escape cancels
      await edit.click();
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.type('@changed\\.example$');
      await page.keyboard.press('Escape');
      await visible(edit);
      expect(await text(row.locator('code.pattern'))).toBe('@example\\.com$');
      await expectFocus(page, `button:Edit exception #${mine.id} @example\\.com$`);
      // a draft survives going elsewhere and coming back
      await page.keyboard.press('Enter');
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.type('@example\\.co\\.jp$');
      await nav(page, 'Certificates');
      await nav(page, 'Server compositions');
      await visible(row.locator('input[aria-label="Pattern"]'));
      expect(await row.locator('input[aria-label="Pattern"]').inputValue()).toBe('@example\\.co\\.jp$');
      // Enter saves, with a note
      await row.getByLabel('Note').fill('ours, in Japan');
      await row.getByLabel('Note').press('Enter');
      await visible(row.locator('code.pattern', { hasText: '@example\\.co\\.jp$' }));
      expect(s.service.getComposition('Newsletters').destinationExceptions.at(-1)).toMatchObject({
        pattern: '@example\\.co\\.jp$',
        note: 'ours, in Japan',
      });
      // a header exception: name, pattern and note; Cancel is a button too
      const hrow = detail.locator(`tr[data-exception="${hdr.id}"]`);
      await hrow.getByRole('button', { name: `Edit exception #${hdr.id} X-Campaign: ^no-sign` }).click();
      await hrow.getByRole('button', { name: 'Cancel' }).click();
      await hrow.getByRole('button', { name: /^Edit exception/ }).click();
      await hrow.getByLabel('Header name').fill('X-Mailer-Campaign');
      await hrow.getByLabel('Note').fill('campaign tool');
      await hrow.getByRole('button', { name: 'Save' }).click();
      await visible(hrow.getByText('X-Mailer-Campaign'));
      expect(s.service.getComposition('Newsletters').headerExceptions.at(-1)).toMatchObject({
        header: 'X-Mailer-Campaign',
        pattern: '^no-sign',
        note: 'campaign tool',
      });
      // removal asks first
      const removeNow = row.getByRole('button', { name: /^Remove exception/ });
      await removeNow.click();
      const confirm = page.getByTestId('confirm');
      await visible(confirm);
      expect(await text(confirm)).toContain('Mail matching @example\\.co\\.jp$ will be signed again');
      await expectFocus(page, 'button:Cancel');
      await page.keyboard.press('Escape');
      await visible(row);
      await removeNow.click();
      await confirm.getByRole('button', { name: 'Remove' }).click();
      await row.waitFor({ state: 'detached' });
      expect(s.service.getComposition('Newsletters').destinationExceptions.some((e) => e.id === mine.id)).toBe(false);
    });
  }, 60_000);

  it('8. renewing with the same, an older or an expired certificate needs an explicit confirmation', async () => {
    await session('renew', {}, async (s) => {
      const { page } = s;
      await seed(s, [info()]);
      const dialog = page.getByRole('dialog');
      const cases: [string, Buffer, string][] = [
        ['same.p12', infoP12, 'This is the very certificate already registered.'],
        ['older.p12', olderP12, 'The new certificate expires before the current one'],
        ['expired.p12', expiredP12, 'The new certificate is already expired.'],
      ];
      for (const [name, bytes, warning] of cases) {
        await page.getByRole('button', { name: 'Renew info@example.com' }).click();
        await dialog.getByLabel('PKCS#12 password').fill('p12-pass');
        s.nextOpen.set('p12', { name, bytes });
        await dialog.getByRole('button', { name: 'Choose file…' }).click();
        await visible(dialog.getByText(new RegExp(`${name.replace('.', '\\.')} \\(`)));
        await dialog.getByRole('button', { name: 'Inspect' }).click();
        await visible(dialog.getByTestId('renew-risks'));
        expect(await text(dialog.getByTestId('renew-risks'))).toContain(warning);
        const compare = dialog.getByTestId('renew-compare');
        expect(await compare.locator('th[scope="col"]').allInnerTexts()).toEqual(['Current', 'New']);
        const replace = dialog.getByRole('button', { name: 'Replace certificate' });
        expect(await replace.isDisabled()).toBe(true);
        if (name === 'older.p12') {
          await screenshot(page, 'en', 'renew-older');
          await dialog.getByRole('checkbox', { name: 'Replace it anyway' }).check();
          expect(await replace.isDisabled()).toBe(false);
          await replace.click();
          await dialog.waitFor({ state: 'detached' });
          expect(await text(page.locator('.cert-row[data-email="info@example.com"]'))).toContain('Example Shop (old)');
        } else {
          await page.keyboard.press('Escape');
          await dialog.waitFor({ state: 'detached' });
        }
      }
    });
  }, 90_000);

  it('9. Japanese: no break inside words of buttons, headers and links; 、 and 。 in the banner; patterns wrap between tokens', async () => {
    await session('typography', { locale: 'ja-JP', viewport: { width: 1024, height: 768 } }, async (s) => {
      const { page } = s;
      const soon = readFileSync(
        env.pki.p12(
          env.pki.leaf({
            emails: ['soon@example.com'],
            notBefore: new Date(Date.now() - 300 * DAY),
            notAfter: new Date(Date.now() + 5 * DAY),
          }),
          { password: 'p12-pass' },
        ),
      );
      const old = readFileSync(
        env.pki.p12(
          env.pki.leaf({
            emails: ['old@example.com'],
            notBefore: new Date(Date.now() - 300 * DAY),
            notAfter: new Date(Date.now() - 5 * DAY),
          }),
          { password: 'p12-pass' },
        ),
      );
      await seed(
        s,
        [
          info(),
          { email: 'soon@example.com', p12: soon, password: 'p12-pass' },
          { email: 'old@example.com', p12: old, password: 'p12-pass' },
        ],
        [{ name: 'ニュースレター配信', emails: ['info@example.com'] }],
      );
      const banner = page.getByTestId('attention');
      await visible(banner);
      const b = await text(banner);
      expect(b).toBe('確認が必要な証明書が 2 件あります（期限切れ 1 件、30 日以内に期限切れ 1 件）。 一覧を表示');
      expect(b).not.toContain(', ');
      /** Every visible button and table header: one line, whatever the width. */
      const broken = () =>
        page.evaluate(() => {
          const out: string[] = [];
          for (const el of document.querySelectorAll<HTMLElement>('button, th, .link, .badge')) {
            if (!el.textContent?.trim() || el.getClientRects().length === 0) continue;
            if (getComputedStyle(el).whiteSpace !== 'nowrap' && !el.matches('.link, .badge'))
              out.push(`wraps: ${el.textContent}`);
            const range = document.createRange();
            range.selectNodeContents(el);
            const tops = [...range.getClientRects()].filter((r) => r.width > 0).map((r) => r.top);
            // a second line starts at least a line below: smaller glyphs on the same line do not count
            if (Math.max(...tops) - Math.min(...tops) > parseFloat(getComputedStyle(el).fontSize) * 0.8)
              out.push(`broken: ${el.textContent}`);
          }
          return out;
        });
      await visible(page.locator('.cert-row[data-email="info@example.com"]'));
      expect(await broken()).toEqual([]);
      await nav(page, 'サーバー構成');
      await page.getByRole('button', { name: 'ニュースレター配信' }).click();
      await visible(page.locator('[data-composition="ニュースレター配信"]'));
      expect(await broken()).toEqual([]);
      // labels and headings keep their words: keep-all, strict line breaking
      const style = await page
        .getByRole('heading', { name: '宛先による例外' })
        .evaluate((h) => [getComputedStyle(h).wordBreak, getComputedStyle(h).lineBreak]);
      expect(style).toEqual(['keep-all', 'strict']);
      // a pattern may wrap before "\." and "(", never inside a token
      const wbr = await page
        .locator('tr[data-exception="1"] code.pattern')
        .evaluate((c) => [...c.childNodes].map((n) => (n.nodeName === 'WBR' ? '|' : n.textContent)).join(''));
      expect(wbr).toBe('@|(?:[^@]+\\.)?docomo|\\.ne|\\.jp$');
      await screenshot(page, 'ja', 'compositions-narrow');
    });
  }, 60_000);

  it('11. new warning thresholds change which certificates need attention, on the screen where they were saved', async () => {
    await session('thresholds', {}, async (s) => {
      const { page } = s;
      // 60 days left: valid with the default first warning of 30 days
      await seed(s, [{ email: 'info@example.com', p12: olderP12, password: 'p12-pass' }]);
      await visible(page.locator('.cert-row[data-email="info@example.com"]').getByText('Valid'));
      expect(await page.getByTestId('attention').count()).toBe(0);
      await nav(page, 'Settings');
      await page.getByLabel('First warning (days before expiry)').fill('90');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await visible(page.getByTestId('attention').getByText(/1 expiring within 90 days/));
    });
  }, 60_000);

  it('10. browser mode: "Choose file…" opens the page\'s file chooser, so the keyboard alone adds a certificate', async () => {
    await session('browser-mode', { nativeDialogs: false }, async (s) => {
      const { page } = s;
      await seed(s, []);
      // listening early: Playwright turns on file-chooser interception asynchronously
      const chooser = page.waitForEvent('filechooser', { timeout: 45_000 });
      await page.getByRole('button', { name: 'Add certificate' }).click();
      const dialog = page.getByRole('dialog');
      await page.keyboard.type('info@example.com');
      await page.keyboard.press('Tab');
      await page.keyboard.type('p12-pass');
      await tabTo(page, dialog.getByRole('button', { name: 'Choose file…' }));
      await page.keyboard.press('Enter');
      await (await chooser).setFiles({ name: 'info.p12', mimeType: 'application/x-pkcs12', buffer: infoP12 });
      await visible(dialog.getByText(/info\.p12 \(/));
      await tabTo(page, dialog.getByLabel('PKCS#12 password'), { back: true });
      await page.keyboard.press('Enter');
      await visible(dialog.getByTestId('inspect-emails'));
      await page.keyboard.press('Enter');
      await dialog.waitFor({ state: 'detached' });
      await visible(page.locator('.cert-row[data-email="info@example.com"]'));
      expect(s.service.listCertificates().map((c) => c.email)).toEqual(['info@example.com']);
      // no save dialog either: the saved .eml is said to be in the exports folder
      s.service.createComposition('Shop');
      await nav(page, 'Test message');
      await page.getByLabel('From', { exact: true }).fill('info@example.com');
      await page.getByLabel('To', { exact: true }).fill('x@docomo.ne.jp');
      await page.getByRole('button', { name: 'Sign and preview' }).click();
      await page.getByRole('button', { name: 'Save as .eml' }).click();
      await visible(page.getByText(/^Saved unsigned-x@docomo\.ne\.jp\.eml in the exports folder of the data folder$/));
    });
  }, 60_000);
});
