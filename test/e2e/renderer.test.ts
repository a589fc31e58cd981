import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRelayConfig } from '../../main/core/relay/config';
import { cli } from '../helpers/cli';
import { opensslVerify } from '../helpers/pki';
import { tempDir } from '../helpers/stores';
import { dropFile, nav, seed, text, visible } from './steps';
import { chromiumSuite, openApp, screenshot, type Session } from './harness';

const DAY = 86_400_000;
const env = chromiumSuite();
let infoP12: Buffer;
let oldP12: Buffer;

beforeAll(() => {
  infoP12 = env.p12({ emails: ['info@example.com'], cn: 'Example Shop' });
  oldP12 = env.p12({
    emails: ['old@example.com'],
    notBefore: new Date(Date.now() - 400 * DAY),
    notAfter: new Date(Date.now() - 3 * DAY),
  });
});

/** An admin who has set up: password, info@example.com registered and checked in one composition. */
const seedInfo = (s: Session, composition: string) =>
  seed(
    s,
    [{ email: 'info@example.com', p12: infoP12, password: 'p12-pass' }],
    [{ name: composition, emails: ['info@example.com'] }],
  );

describe('the renderer in Chromium, over the real core', () => {
  it('an admin day: first run, certificates, compositions, test message, delete, reflect, import, Japanese', async () => {
    const s = await openApp(env.browser, env.url);
    const { page } = s;
    try {
      // first run: the admin password
      await visible(page.getByRole('heading', { name: 'Welcome to smime-admin' }));
      await screenshot(page, 'en', 'first-run');
      await page.getByLabel('Admin password', { exact: true }).fill('short');
      await page.getByLabel('Repeat the admin password').fill('short');
      await page.getByRole('button', { name: 'Set admin password' }).click();
      await visible(page.getByText('Use at least 8 characters.'));
      await page.getByLabel('Admin password', { exact: true }).fill('correct horse battery');
      await page.getByLabel('Repeat the admin password').fill('correct horse battery');
      await page.getByRole('button', { name: 'Set admin password' }).click();
      await visible(page.getByText('No certificates yet.'));
      expect(s.service.isAdminPasswordSet()).toBe(true);
      await screenshot(page, 'en', 'certificates-empty');

      // add a p12: inspection first, wrong password and wrong address explained
      await page.getByRole('button', { name: 'Add certificate' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('From address').fill('bob@example.com');
      await dialog.getByLabel('PKCS#12 password').fill('wrong');
      s.nextOpen.set('p12', { name: 'info.p12', bytes: infoP12 });
      await dialog.getByRole('button', { name: 'Choose file…' }).click();
      await visible(dialog.getByText(/info\.p12 \(/));
      await dialog.getByRole('button', { name: 'Inspect' }).click();
      await visible(dialog.getByText('The PKCS#12 password is wrong.'));
      await dialog.getByLabel('PKCS#12 password').fill('p12-pass');
      await dialog.getByRole('button', { name: 'Inspect' }).click();
      await visible(dialog.getByTestId('inspect-emails'));
      expect(await text(dialog.getByTestId('inspect-emails'))).toBe('info@example.com');
      expect(await text(dialog)).toContain('Test S/MIME Issuing CA');
      await visible(dialog.getByText('bob@example.com is not in this certificate. It is for: info@example.com'));
      expect(await dialog.getByRole('button', { name: 'Save certificate' }).isDisabled()).toBe(true);
      await dialog.getByLabel('From address').fill('info@example.com');
      await screenshot(page, 'en', 'add-certificate');
      await dialog.getByRole('button', { name: 'Save certificate' }).click();
      await visible(page.locator('.cert-row[data-email="info@example.com"]'));
      expect(await text(page.locator('.cert-row[data-email="info@example.com"]'))).toMatch(
        /info@example\.com Example Shop Test S\/MIME Issuing CA .* Valid/,
      );

      // an expired certificate, dropped on the window
      await page.getByRole('button', { name: 'Add certificate' }).click();
      await dialog.getByLabel('From address').fill('old@example.com');
      await dialog.getByLabel('PKCS#12 password').fill('p12-pass');
      await dropFile(page, 'drop-p12', 'old.p12', oldP12);
      await visible(dialog.getByText(/old\.p12 \(/));
      await dialog.getByRole('button', { name: 'Inspect' }).click();
      await visible(dialog.locator('[data-code="expired"]'));
      await dialog.getByRole('button', { name: 'Save certificate' }).click();
      await visible(page.locator('.cert-row[data-email="old@example.com"]'));
      expect(await text(page.locator('.cert-row[data-email="old@example.com"]'))).toContain('Expired');
      await visible(page.getByTestId('attention'));
      await screenshot(page, 'en', 'certificates');

      // a composition with certificates and exceptions; the live tester
      await nav(page, 'Server compositions');
      await page.getByLabel('New composition name').fill('Newsletters');
      await page.getByRole('button', { name: 'Create' }).click();
      const detail = page.locator('[data-composition="Newsletters"]');
      await visible(detail);
      expect(await text(detail)).toContain('pending changes');
      await detail.getByRole('checkbox', { name: 'info@example.com' }).click();
      await visible(detail.getByRole('checkbox', { name: 'info@example.com', checked: true }));
      await detail.getByRole('checkbox', { name: 'old@example.com' }).click();
      await visible(detail.getByRole('checkbox', { name: 'old@example.com', checked: true }));
      const headerRows = await text(detail.locator('section[aria-labelledby="hdr-title"] tbody'));
      expect(headerRows).toContain('Content-Type ^multipart/signed default already signed');
      expect(headerRows).toContain('^application/(x-)?pkcs7-mime');
      await detail.getByLabel('Pattern', { exact: true }).fill('@partner\\.example$');
      await detail.getByLabel('Try addresses').fill('a@partner.example\ntaro@docomo.ne.jp\nbob@example.org');
      await visible(detail.locator('.tester-results li'));
      await page.waitForFunction(() => document.querySelectorAll('.tester-results li').length === 3);
      expect(await text(detail.locator('.tester-results'))).toBe(
        'a@partner.example: unsigned: the new pattern taro@docomo.ne.jp: unsigned: #1 @(?:[^@]+\\.)?docomo\\.ne\\.jp$ bob@example.org: signed (no exception)',
      );
      await detail.getByRole('button', { name: 'Add exception' }).first().click();
      await visible(detail.locator('code.pattern', { hasText: '@partner\\.example$' }));
      // what is wrong with a pattern shows under it as it is typed, as typed (no doubled backslashes)
      await detail.getByLabel('Pattern', { exact: true }).fill('@x\\.(b');
      await visible(detail.getByText('The pattern is not valid.'));
      expect(await text(detail.locator('.field-error-detail'))).toBe(
        'invalid pattern "@x\\.(b": missing closing ): `@x\\.(b`',
      );
      expect(await detail.getByLabel('Pattern', { exact: true }).getAttribute('aria-invalid')).toBe('true');
      // meanwhile the addresses are still tried against the exceptions in place
      await page.waitForFunction(() =>
        (document.querySelector('.tester-results')?.textContent ?? '').includes('a@partner.example: unsigned: #'),
      );
      expect(await text(detail.locator('.tester-results'))).toContain('bob@example.org: signed (no exception)');
      // a pattern too long to send is said under the field as it is typed; the tester keeps working, with no error
      await detail.getByLabel('Pattern', { exact: true }).fill('a'.repeat(1001));
      await visible(detail.getByText('Pattern is too long: at most 1000 characters.'));
      expect(await detail.locator('.tester [role="alert"]').count()).toBe(0);
      expect(await text(detail.locator('.tester-results'))).toContain('bob@example.org: signed (no exception)');
      await detail.getByLabel('Pattern', { exact: true }).fill('');
      await detail.getByRole('switch').click();
      await visible(detail.getByRole('switch', { checked: true }));
      await screenshot(page, 'en', 'compositions');

      // test message → preview: decisions, verification, signed source that OpenSSL accepts
      await nav(page, 'Test message');
      await page.getByLabel('From', { exact: true }).fill('Example Shop <info@example.com>');
      await page.getByLabel('To', { exact: true }).fill('a@example.org, x@docomo.ne.jp');
      await page.getByLabel('Intelligent BCC copies').fill('archive@example.com');
      await page.getByLabel('Subject').fill('ご注文ありがとうございます');
      await page.getByLabel('Body').fill('Thank you for your order.\nご注文を承りました。');
      // a draft survives a visit to another screen
      await nav(page, 'Certificates');
      await nav(page, 'Test message');
      expect(await page.getByLabel('Subject').inputValue()).toBe('ご注文ありがとうございます');
      expect(await page.getByLabel('To', { exact: true }).inputValue()).toBe('a@example.org, x@docomo.ne.jp');
      await page.getByRole('button', { name: 'Sign and preview' }).click();
      const preview = page.getByTestId('preview');
      await visible(preview);
      expect(await text(preview.locator('tr[data-recipient="a@example.org"]'))).toContain(
        'Sign signed with info@example.com',
      );
      expect(await text(preview.locator('tr[data-recipient="x@docomo.ne.jp"]'))).toContain(
        'Unsigned destination exception',
      );
      expect(await text(preview.locator('tr[data-recipient="archive@example.com"]'))).toContain(
        'Unsigned intelligent BCC copy',
      );
      expect(await text(preview.getByTestId('verification'))).toContain('Signature valid');
      expect(await text(preview.getByTestId('verification'))).toContain('From matches the signer');
      await screenshot(page, 'en', 'test-message');
      await preview.locator('section[data-delivery="sign"]').getByRole('button', { name: 'Save as .eml' }).click();
      await visible(preview.getByText(/^Saved /));
      expect(s.saved).toHaveLength(1);
      const verified = opensslVerify(env.pki, s.saved[0]!);
      expect(verified.stderr).toBe('');
      expect(verified.ok).toBe(true);
      expect(verified.content.toString('latin1')).toContain('Content-Transfer-Encoding: quoted-printable');

      // an expired certificate: 451 shown
      await page.getByLabel('From', { exact: true }).fill('old@example.com');
      await page.getByRole('button', { name: 'Sign and preview' }).click();
      await visible(preview.locator('tr[data-recipient="a@example.org"][data-action="reject"]'));
      expect(await text(preview.locator('tr[data-recipient="a@example.org"]'))).toContain(
        'Reject certificate expired 451 S/MIME certificate is expired',
      );

      // delete: refused while in use, before any password is asked, naming the composition
      await nav(page, 'Certificates');
      await page.getByRole('button', { name: 'Delete old@example.com' }).click();
      await visible(dialog.getByTestId('in-use'));
      expect(await text(dialog.getByTestId('in-use'))).toContain('Go to Newsletters');
      expect(await dialog.getByLabel('Admin password').isDisabled()).toBe(true);
      expect(await dialog.getByRole('button', { name: 'Delete certificate' }).isDisabled()).toBe(true);
      await dialog.getByRole('button', { name: 'Go to Newsletters' }).click();
      await detail.getByRole('checkbox', { name: 'old@example.com' }).click();
      await visible(detail.getByRole('checkbox', { name: 'old@example.com', checked: false }));

      // reflect: pending changes, passphrase twice, progress, result; the bundle opens on a server
      await nav(page, 'Reflect');
      const card = page.locator('li[data-composition="Newsletters"]');
      await visible(card);
      expect(await text(card)).toContain('Never reflected');
      await card.getByRole('button', { name: 'Reflect…' }).click();
      await dialog.getByLabel('Bundle passphrase').fill('a long bundle passphrase');
      await dialog.getByLabel('Repeat the passphrase').fill('a different passphrase');
      await dialog.getByRole('button', { name: 'Export bundle' }).click();
      await visible(dialog.getByText('The two passphrases differ.'));
      await dialog.getByLabel('Repeat the passphrase').fill('a long bundle passphrase');
      await dialog.getByRole('button', { name: 'Export bundle' }).click();
      await visible(page.getByTestId('reflect-result'));
      expect(await text(page.getByTestId('reflect-result'))).toMatch(
        /Bundle written Reflection 1 File .*\/newsletters-[0-9a-f]{8}-r1-\d{8}T\d{6}Z\.smime-bundle\.json Size .* SHA-256 [0-9a-f]{64} Certificates 1/,
      );
      expect(await text(card)).toContain('No pending changes');
      const bundleName = readdirSync(s.saveDir).find((f) => f.endsWith('.smime-bundle.json'))!;
      const bundlePath = join(s.saveDir, bundleName);
      expect(loadRelayConfig(readFileSync(bundlePath), 'a long bundle passphrase').policy.intelligentBcc).toBe(true);
      await screenshot(page, 'en', 'reflect');

      // import a bundle (as on a second admin machine)
      s.nextOpen.set('bundle', { name: bundleName, bytes: readFileSync(bundlePath) });
      await page
        .locator('section[aria-labelledby="import-title"]')
        .getByRole('button', { name: 'Choose file…' })
        .click();
      await page
        .locator('section[aria-labelledby="import-title"]')
        .getByLabel('Bundle passphrase')
        .fill('a long bundle passphrase');
      // the preview first: nothing to discard, so no consent is asked
      await page.getByRole('button', { name: 'Show what it changes' }).click();
      await visible(page.getByTestId('import-preview'));
      await page.getByTestId('import-preview').getByRole('button', { name: 'Import bundle' }).click();
      await visible(page.getByText('Imported "Newsletters": 0 added, 0 updated, 1 unchanged certificates.'));

      // now the delete goes through
      await nav(page, 'Certificates');
      await page.getByRole('button', { name: 'Delete old@example.com' }).click();
      await dialog.getByLabel('Admin password').fill('correct horse battery');
      await dialog.getByRole('button', { name: 'Delete certificate' }).click();
      await page.locator('.cert-row[data-email="old@example.com"]').waitFor({ state: 'detached' });
      expect(s.service.listCertificates().map((c) => c.email)).toEqual(['info@example.com']);

      // settings and Japanese
      await nav(page, 'Settings');
      await screenshot(page, 'en', 'settings');
      await page.getByLabel('Language').selectOption('ja');
      await visible(page.getByRole('navigation').getByRole('button', { name: '証明書' }));
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('ja');
      await screenshot(page, 'ja', 'settings');
      await nav(page, '証明書');
      await visible(page.getByRole('heading', { name: '証明書' }));
      expect(await text(page.locator('.cert-row[data-email="info@example.com"]'))).toContain('有効');
      await screenshot(page, 'ja', 'certificates');
      await page.getByRole('button', { name: '証明書を追加' }).click();
      await visible(dialog.getByLabel('From アドレス'));
      await screenshot(page, 'ja', 'add-certificate');
      await dialog.getByRole('button', { name: 'キャンセル' }).click();
      await nav(page, 'サーバー構成');
      await visible(detail);
      expect(await text(detail)).toContain('宛先による例外');
      await screenshot(page, 'ja', 'compositions');
      await nav(page, '反映');
      await visible(page.getByText('最新'));
      await screenshot(page, 'ja', 'reflect');
      await nav(page, 'テストメッセージ');
      await page.getByLabel('From', { exact: true }).fill('info@example.com');
      await page.getByLabel('To', { exact: true }).fill('a@example.org, x@ezweb.ne.jp');
      await page.getByRole('button', { name: '署名してプレビュー' }).click();
      await visible(preview.getByText('署名は有効です'));
      expect(await text(preview.locator('tr[data-recipient="x@ezweb.ne.jp"]'))).toContain('署名なし 宛先による例外');
      await screenshot(page, 'ja', 'test-message');
    } finally {
      await s.close();
    }
  }, 180_000);

  it('renews a certificate and previews an opened .eml', async () => {
    const s = await openApp(env.browser, env.url);
    const { page } = s;
    try {
      await seedInfo(s, 'Transactional');
      const before = s.service.getCertificate('info@example.com').fingerprintSha256;
      await page.getByRole('button', { name: 'Renew info@example.com' }).click();
      const dialog = page.getByRole('dialog', { name: 'Renew certificate for info@example.com' });
      expect(await dialog.getByLabel('From address').getAttribute('readonly')).not.toBeNull();
      const renewed = readFileSync(
        env.pki.p12(env.pki.leaf({ emails: ['info@example.com'], cn: 'Example Shop 2027' }), {
          chain: 'intermediate',
          password: 'new-pass',
        }),
      );
      s.nextOpen.set('p12', { name: 'renewed.pfx', bytes: renewed });
      await dialog.getByRole('button', { name: 'Choose file…' }).click();
      await dialog.getByLabel('PKCS#12 password').fill('new-pass');
      await dialog.getByRole('button', { name: 'Inspect' }).click();
      await visible(
        dialog.getByText('The current certificate stays in force until the new one is validated and saved.'),
      );
      await dialog.getByRole('button', { name: 'Replace certificate' }).click();
      await dialog.waitFor({ state: 'detached' });
      expect(await text(page.locator('.cert-row[data-email="info@example.com"]'))).toContain('Example Shop 2027');
      expect(s.service.getCertificate('info@example.com').fingerprintSha256).not.toBe(before);

      await nav(page, 'Test message');
      await page.getByRole('radio', { name: 'Open .eml' }).check();
      s.nextOpen.set('eml', {
        name: 'order.eml',
        bytes: Buffer.from(
          'From: info@example.com\r\nTo: a@example.org\r\nSubject: order\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nご注文ありがとうございます。\r\n',
        ),
      });
      await page.getByRole('button', { name: 'Choose file…' }).click();
      await visible(page.getByText(/order\.eml \(/));
      await page.getByLabel('MAIL FROM').fill('bounce@example.com');
      await page.getByLabel('Recipients').fill('a@example.org\ny@softbank.ne.jp');
      await page.getByRole('button', { name: 'Sign and preview' }).click();
      const preview = page.getByTestId('preview');
      await visible(preview.getByTestId('verification'));
      expect(await text(preview.locator('tr[data-recipient="a@example.org"]'))).toContain(
        'Sign signed with info@example.com',
      );
      expect(await text(preview.locator('tr[data-recipient="y@softbank.ne.jp"]'))).toContain(
        'Unsigned destination exception',
      );
      expect(await text(preview.getByTestId('verification'))).toContain('Signature valid');
      expect(await text(preview.locator('section[data-delivery="sign"] .mime'))).toContain(
        'Content-Transfer-Encoding: quoted-printable',
      );
    } finally {
      await s.close();
    }
  }, 90_000);

  it('keeps the preview responsive for a large message', async () => {
    const s = await openApp(env.browser, env.url);
    const { page } = s;
    try {
      await seedInfo(s, 'Big');
      await nav(page, 'Test message');
      await page.getByLabel('From', { exact: true }).fill('info@example.com');
      await page.getByLabel('To', { exact: true }).fill('a@example.org');
      await page.getByTestId('file-input-attachments').setInputFiles({
        name: 'catalogue.bin',
        mimeType: 'application/octet-stream',
        buffer: Buffer.alloc(5 * 1024 * 1024, 7),
      });
      await page.getByRole('button', { name: 'Sign and preview' }).click();
      const preview = page.getByTestId('preview');
      await visible(preview.getByTestId('verification'));
      expect(await text(preview.getByTestId('verification'))).toContain('Signature valid');
      // the 7 MB part is collapsed and clipped; the page answers at once
      const t0 = Date.now();
      await preview.locator('summary', { hasText: 'Part 1: multipart/mixed' }).click();
      await visible(preview.getByRole('button', { name: /^Show all \(/ }));
      expect(Date.now() - t0).toBeLessThan(5000);
      const shown = await preview
        .locator('pre.source')
        .evaluateAll((els) => Math.max(...els.map((e) => e.textContent?.length ?? 0)));
      expect(shown).toBeLessThan(70 * 1024);
    } finally {
      await s.close();
    }
  }, 90_000);

  it('starts in Japanese when the system is Japanese, and explains errors in Japanese', async () => {
    const s = await openApp(env.browser, env.url, { locale: 'ja-JP' });
    try {
      await visible(s.page.getByRole('heading', { name: 'smime-admin へようこそ' }));
      await screenshot(s.page, 'ja', 'first-run');
      await s.page.getByLabel('管理者パスワード', { exact: true }).fill('abc');
      await s.page.getByLabel('管理者パスワード（確認）').fill('abc');
      await s.page.getByRole('button', { name: '管理者パスワードを設定' }).click();
      await visible(s.page.getByText('8 文字以上にしてください。'));
    } finally {
      await s.close();
    }
  }, 60_000);

  it('shows what the CLI changed in the data folder without a reload', async () => {
    const s = await openApp(env.browser, env.url);
    const { page } = s;
    s.service.setAdminPassword('correct horse battery');
    await page.reload();
    await page.getByRole('button', { name: 'Server compositions' }).click();
    await visible(page.getByText('No server compositions yet.'));
    const r = cli(['--data-dir', s.dataDir, 'composition', 'create', 'Created by the CLI']);
    expect(r.code, r.stderr).toBe(0);
    await visible(page.getByRole('button', { name: 'Created by the CLI' }));
    // the test message keeps the composition chosen when the CLI renames it
    expect(cli(['--data-dir', s.dataDir, 'composition', 'create', 'Second']).code).toBe(0);
    await page.getByRole('button', { name: 'Test message' }).click();
    const select = page.getByLabel('Composition', { exact: true });
    await select.selectOption('Second');
    const r2 = cli(['--data-dir', s.dataDir, 'composition', 'rename', 'Second', 'Second (renamed)']);
    expect(r2.code, r2.stderr).toBe(0);
    await expect
      .poll(() => select.evaluate((el: HTMLSelectElement) => el.selectedOptions[0]?.textContent), { timeout: 15_000 })
      .toBe('Second (renamed)');
    await s.close();
  }, 60_000);

  it('shows a readable error, not a blank page, when the settings file is corrupt', async () => {
    const dataDir = tempDir('smime-e2e-corrupt-');
    writeFileSync(join(dataDir, 'config.json'), '{ not json');
    const s = await openApp(env.browser, env.url, { dataDir });
    try {
      await visible(s.page.getByRole('heading', { name: 'smime-admin cannot start' }));
      expect(await text(s.page.getByRole('alert'))).toMatch(
        /^The settings file is damaged\. It was not changed; a copy was kept\. the settings file .*config\.json cannot be read: it is not valid JSON/,
      );
      expect(readFileSync(join(dataDir, 'config.json'), 'utf8')).toBe('{ not json');
    } finally {
      await s.close();
    }
  }, 60_000);

  it('the page CSP blocks inline and unpinned scripts', async () => {
    const s = await openApp(env.browser, env.url);
    try {
      await visible(s.page.getByRole('heading', { name: 'Welcome to smime-admin' }));
      const blocked = await s.page.evaluate(
        () =>
          new Promise<string[]>((resolve) => {
            const seen: string[] = [];
            document.addEventListener('securitypolicyviolation', (e) => seen.push(e.effectiveDirective));
            const inline = document.createElement('script');
            inline.textContent = 'window.__pwned = 1';
            document.body.appendChild(inline);
            const other = document.createElement('script');
            other.src = './assets/not-pinned.js';
            document.body.appendChild(other);
            setTimeout(() => resolve(seen), 500);
          }),
      );
      expect(blocked).toEqual(['script-src-elem', 'script-src-elem']);
      expect(await s.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    } finally {
      await s.close();
    }
  }, 60_000);

  it('follows the OS dark mode', async () => {
    const s = await openApp(env.browser, env.url, { colorScheme: 'dark' });
    try {
      await visible(s.page.getByRole('heading', { name: 'Welcome to smime-admin' }));
      const bg = await s.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(bg).toBe('rgb(20, 23, 28)');
      await screenshot(s.page, 'en', 'first-run-dark');
    } finally {
      await s.close();
    }
  }, 60_000);
});
