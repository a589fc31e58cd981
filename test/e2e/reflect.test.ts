/**
 * The Reflect and Audit screens in Chromium over the real core: review and confirmations before
 * export, reflect all, import with consent, history and re-export, publish folders and a real
 * relay's status, and the audit log's chain. Screenshots of each view in English and Japanese.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRelayConfig } from '../../main/core/relay/config';
import { startRelay, type RunningRelay } from '../../main/server/relay';
import { en, ja, type Strings } from '../../renderer/i18n/strings';
import { tempDir } from '../helpers/stores';
import { nav, seed, text, visible } from './steps';
import { chromiumSuite, openApp, screenshot, type Session } from './harness';

const DAY = 86_400_000;
const PASS = 'a long bundle passphrase';
const quiet = new Writable({ write: (_c, _e, cb) => cb() });

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

const bundles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.smime-bundle.json'));
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** A screenshot with `target` scrolled into view (to the top of its scroller, or its middle). */
async function shoot(
  page: Page,
  lang: 'en' | 'ja',
  name: string,
  target?: Locator,
  block: 'start' | 'center' = 'start',
) {
  if (target) await target.first().evaluate((el, b) => el.scrollIntoView({ block: b }), block);
  await screenshot(page, lang, name);
}

/** The admin password, info@example.com registered, and each composition created with it checked. */
const seedInfo = (s: Session, compositions: string[], opts: { reload?: boolean } = {}) =>
  seed(
    s,
    [{ email: 'info@example.com', p12: infoP12, password: 'p12-pass' }],
    compositions.map((name) => ({ name, emails: ['info@example.com'] })),
    opts,
  );

/** Switches the UI language as the Settings screen does, and starts the window again in it. */
async function setLanguage(s: Session, lang: 'en' | 'ja'): Promise<Strings> {
  s.service.updateSettings({ language: lang });
  await s.page.reload();
  const T = lang === 'en' ? en : ja;
  await visible(s.page.getByRole('navigation').getByRole('button', { name: T.nav.reflect }));
  return T;
}

const card = (page: Page, name: string) => page.locator(`ul.pending-list > li[data-composition="${name}"]`);

/** Opens the reflect dialog of one composition and waits for its review. */
async function openReview(page: Page, T: Strings, name: string): Promise<Locator> {
  await card(page, name).getByRole('button', { name: T.reflect.reflectButton }).click();
  const dialog = page.getByRole('dialog');
  await visible(dialog.getByTestId('review'));
  return dialog;
}

async function fillPassphrase(dialog: Locator, T: Strings) {
  await dialog.getByLabel(T.reflect.passphrase, { exact: true }).fill(PASS);
  await dialog.getByLabel(T.reflect.passphrase2, { exact: true }).fill(PASS);
}

/** Reflects through the dialog: review, every confirmation ticked, passphrase twice, export. */
async function reflectInUi(page: Page, T: Strings, name: string) {
  const dialog = await openReview(page, T, name);
  for (const box of await dialog.getByTestId('confirmations').getByRole('checkbox').all()) await box.check();
  await fillPassphrase(dialog, T);
  await dialog.getByRole('button', { name: T.reflect.export }).click();
  await dialog.waitFor({ state: 'detached' });
  await visible(card(page, name).getByText(T.reflect.upToDate, { exact: true }));
}

describe('reflect and audit screens in Chromium, over the real core', () => {
  it('reflects two Japanese-named compositions to one folder, each to its own file, never over another', async () => {
    const s = await openApp(env.browser, env.url, { locale: 'ja-JP' });
    const { page } = s;
    const T = ja;
    try {
      await seedInfo(s, ['本番', '検証']);
      await nav(page, T.nav.reflect);
      for (const name of ['本番', '検証']) {
        await visible(card(page, name).getByText(T.reflect.neverReflected));
        // the harness's folder dialog answers with its save folder: both publish to the same folder
        await card(page, name).getByRole('button', { name: T.publish.choose }).click();
        await visible(card(page, name).getByTestId('publish-dir').getByText(s.saveDir));
      }
      expect(s.service.getComposition('本番').publishDir).toBe(s.saveDir);

      // reflect all: a review of each, one passphrase
      await page.getByRole('button', { name: T.reflectAll.button }).click();
      const dialog = page.getByRole('dialog', { name: T.reflectAll.title });
      await visible(dialog.getByTestId('review-all'));
      expect(await dialog.locator('li[data-composition]').count()).toBe(2);
      expect(await text(dialog.locator('li[data-composition="本番"]'))).toContain('証明書 1 件');
      expect(await text(dialog.locator('li[data-composition="本番"]'))).toContain(T.reflectAll.toPublish);
      await screenshot(page, 'ja', 'reflect-all');
      await fillPassphrase(dialog, T);
      await dialog.getByRole('button', { name: '2 件の構成を反映' }).click();
      await dialog.waitFor({ state: 'detached' });
      for (const name of ['本番', '検証'])
        await visible(card(page, name).getByText(T.reflect.upToDate, { exact: true }));
      const result = page.getByTestId('reflect-result');
      await visible(result);
      expect(await text(result)).toContain(T.reflectAll.results);

      // two files, one per composition, each opening to its own composition
      const files = bundles(s.saveDir);
      expect(files).toHaveLength(2);
      expect(new Set(files).size).toBe(2);
      const names = files.map((f) => loadRelayConfig(readFileSync(join(s.saveDir, f)), PASS).composition.name).sort();
      expect(names).toEqual(['本番', '検証'].sort());
      const before = new Map(files.map((f) => [f, sha256(join(s.saveDir, f))]));

      // 本番 again: a third file; the first two stay as they were
      s.service.setIntelligentBcc('本番', true);
      await visible(card(page, '本番').getByText('未反映の変更 1 件'));
      await reflectInUi(page, T, '本番');
      const after = bundles(s.saveDir);
      expect(after).toHaveLength(3);
      for (const [f, hash] of before) expect(sha256(join(s.saveDir, f))).toBe(hash);
      expect(await text(card(page, '本番'))).toContain(T.reflect.upToDate);
      expect(await text(card(page, '検証'))).toContain(T.reflect.upToDate);
      expect(s.service.pending().every((p) => p.changes.length === 0)).toBe(true);

      // the cards keep their places while the screen is open: one that gets a change, or is
      // reflected, does not jump away from under the pointer
      const order = () =>
        page
          .locator('ul.pending-list > li')
          .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.composition));
      const places = await order();
      expect(places).toEqual(['本番', '検証']);
      s.service.setIntelligentBcc('検証', true);
      await visible(card(page, '検証').getByText('未反映の変更 1 件'));
      expect(await order()).toEqual(places);
      await reflectInUi(page, T, '検証');
      await visible(card(page, '検証').getByText(T.reflect.upToDate, { exact: true }));
      expect(await order()).toEqual(places);
      // a rename from elsewhere keeps the card's place: it is the same composition
      s.service.renameComposition('本番', '本番 東京');
      await visible(card(page, '本番 東京'));
      expect(await order()).toEqual(['本番 東京', '検証']);
    } finally {
      await s.close();
    }
  }, 90_000);

  it('lists each confirmation in the review and keeps Export disabled until every one is ticked', async () => {
    const s = await openApp(env.browser, env.url);
    const { page } = s;
    let T = en;
    try {
      await seedInfo(s, [], { reload: false });
      await s.service.addCertificate({ email: 'old@example.com', p12: oldP12, password: 'p12-pass' });
      s.service.createComposition('Risky');
      s.service.setCertificateEnabled('Risky', 'old@example.com', true);
      s.service.addDestinationException('Risky', '.*', 'everything');
      s.service.createComposition('Empty');
      await page.reload();
      // the compositions table marks the catch-all before any review
      await nav(page, T.nav.compositions);
      await page.getByRole('button', { name: /^Risky/ }).click();
      const risky = page.locator('[data-composition="Risky"]');
      await visible(risky.getByTestId('matches-everything'));
      expect(await text(risky.getByTestId('matches-everything'))).toBe('matches every address');
      expect(await text(risky.locator('.catch-all'))).toBe(
        'matches every address While this exception is on, every mail of this composition goes out unsigned.',
      );
      await nav(page, T.nav.reflect);

      // an expired certificate and an exception that matches every address
      let dialog = await openReview(page, T, 'Risky');
      const review = dialog.getByTestId('review');
      expect(await text(review.locator('tr[data-email="old@example.com"]'))).toContain('Expired');
      expect(await text(review.getByTestId('review-destinations'))).toContain('.*');
      const boxes = dialog.getByTestId('confirmations').getByRole('checkbox');
      expect(await boxes.count()).toBe(2);
      expect(await text(dialog.getByTestId('confirmations'))).toContain(
        'I understand: the certificate for old@example.com is expired',
      );
      expect(await text(dialog.getByTestId('confirmations'))).toMatch(
        /I understand: destination exception #\d+ \(\.\*\) matches every ordinary address: all mail goes out unsigned/,
      );
      await fillPassphrase(dialog, T);
      const exportButton = dialog.getByRole('button', { name: T.reflect.export });
      expect(await exportButton.isDisabled()).toBe(true);
      await boxes.nth(0).check();
      expect(await exportButton.isDisabled()).toBe(true);
      await shoot(page, 'en', 'reflect-review', review);
      await shoot(page, 'en', 'reflect-review-confirmations', dialog.getByTestId('confirmations'), 'center');
      await boxes.nth(1).check();
      expect(await exportButton.isEnabled()).toBe(true);
      await boxes.nth(0).uncheck();
      expect(await exportButton.isDisabled()).toBe(true);
      await boxes.nth(0).check();
      await exportButton.click();
      await dialog.waitFor({ state: 'detached' });
      const result = page.getByTestId('reflect-result');
      await visible(result);
      expect(await text(result.getByTestId('result-serial'))).toBe('1');
      expect(await text(result)).toMatch(/Published to not published/);
      expect(await result.locator('[data-code="certificate-expired"]').count()).toBe(1);
      expect(s.service.history('Risky')).toHaveLength(1);

      // no certificate at all
      dialog = await openReview(page, T, 'Empty');
      expect(await text(dialog.getByTestId('review'))).toContain(T.review.noCertificates);
      expect(await dialog.getByTestId('confirmations').getByRole('checkbox').count()).toBe(1);
      expect(await text(dialog.getByTestId('confirmations'))).toContain(
        'I understand: no certificate is checked in this composition: the servers will sign nothing',
      );
      await fillPassphrase(dialog, T);
      expect(await dialog.getByRole('button', { name: T.reflect.export }).isDisabled()).toBe(true);
      await dialog.getByRole('button', { name: T.common.cancel }).click();
      expect(s.service.history('Empty')).toHaveLength(0);

      // the same review in Japanese
      T = await setLanguage(s, 'ja');
      await nav(page, T.nav.reflect);
      dialog = await openReview(page, T, 'Risky');
      expect(await text(dialog.getByTestId('confirmations'))).toContain('理解しました: old@example.com の証明書は');
      await dialog.getByTestId('confirmations').getByRole('checkbox').nth(0).check();
      await shoot(page, 'ja', 'reflect-review', dialog.getByTestId('review'));
      await shoot(page, 'ja', 'reflect-review-confirmations', dialog.getByTestId('confirmations'), 'center');
    } finally {
      await s.close();
    }
  }, 90_000);

  it('shows the local changes an earlier bundle would discard, and imports it only with consent', async () => {
    const s = await openApp(env.browser, env.url);
    const { page } = s;
    let T = en;
    try {
      await seedInfo(s, ['Shop'], { reload: false });
      const first = await s.service.reflect('Shop', PASS, s.saveDir);
      s.service.setIntelligentBcc('Shop', true);
      await s.service.reflect('Shop', PASS, s.saveDir);
      // two changes not yet reflected
      s.service.addDestinationException('Shop', '@partner\\.example$');
      s.service.setIntelligentBcc('Shop', false);
      expect(s.service.pending('Shop')[0]!.changes).toHaveLength(2);
      const earlier = { name: first.file.split('/').pop()!, bytes: readFileSync(first.file) };
      const unchanged = JSON.stringify(s.service.getComposition('Shop'));
      await page.reload();
      await nav(page, T.nav.reflect);

      const importSection = page.locator('section[aria-labelledby="import-title"]');
      const showPreview = async () => {
        s.nextOpen.set('bundle', earlier);
        await importSection.getByRole('button', { name: T.common.chooseFile }).click();
        await visible(importSection.getByText(earlier.name, { exact: false }));
        await importSection.getByLabel(T.reflect.passphrase).fill(PASS);
        await importSection.getByRole('button', { name: T.importPreview.preview }).click();
        await visible(importSection.getByTestId('import-preview'));
      };
      await showPreview();
      const preview = importSection.getByTestId('import-preview');
      const discards = preview.getByTestId('import-discards');
      expect(await text(discards)).toContain('Importing discards 2 local changes that were never reflected:');
      expect(await discards.locator('li').count()).toBe(2);
      expect(await text(discards)).toContain('destination exception added: @partner\\.example$');
      expect(await text(discards)).toContain('intelligent BCC: on → off');
      expect(await text(preview.getByTestId('import-warnings'))).toContain(
        'This bundle is older than the last reflection of "Shop"',
      );
      await shoot(page, 'en', 'import-preview', preview);

      // without consent: nothing can be imported, and nothing changed
      const importButton = preview.getByRole('button', { name: T.reflect.importButton });
      expect(await importButton.isDisabled()).toBe(true);
      await preview.getByLabel(T.importPreview.consentDiscard).check();
      expect(await importButton.isDisabled()).toBe(true);
      await preview.getByRole('button', { name: T.common.cancel }).click();
      await preview.waitFor({ state: 'detached' });
      expect(JSON.stringify(s.service.getComposition('Shop'))).toBe(unchanged);
      expect(s.service.pending('Shop')[0]!.changes).toHaveLength(2);

      // in Japanese, with consent to both
      T = await setLanguage(s, 'ja');
      await nav(page, T.nav.reflect);
      await showPreview();
      expect(await text(discards)).toContain('取り込むと、まだ反映していないこの端末の変更 2 件が破棄されます');
      await shoot(page, 'ja', 'import-preview', preview);
      expect(JSON.stringify(s.service.getComposition('Shop'))).toBe(unchanged);
      await preview.getByLabel(T.importPreview.consentDiscard).check();
      await preview.getByLabel(T.importPreview.consentOlder).check();
      await preview.getByRole('button', { name: T.reflect.importButton }).click();
      await visible(importSection.getByText('「Shop」を取り込みました'));
      const c = s.service.getComposition('Shop');
      expect(c.intelligentBcc).toBe(false);
      expect(c.destinationExceptions.some((e) => e.pattern === '@partner\\.example$')).toBe(false);
      expect(s.service.pending('Shop')[0]!.changes).toEqual([]);
      await visible(card(page, 'Shop').getByText(T.reflect.upToDate, { exact: true }));
    } finally {
      await s.close();
    }
  }, 90_000);

  it('shows a rename as a pending change "renamed"', async () => {
    const s = await openApp(env.browser, env.url);
    const { page } = s;
    try {
      await seedInfo(s, ['Staging'], { reload: false });
      await s.service.reflect('Staging', PASS, s.saveDir);
      await page.reload();
      await nav(page, en.nav.reflect);
      await visible(card(page, 'Staging').getByText(en.reflect.upToDate, { exact: true }));
      // renamed outside the window (as the CLI would): the screen follows
      s.service.renameComposition('Staging', 'Staging EU');
      const renamed = card(page, 'Staging EU');
      await visible(renamed);
      expect(await text(renamed.getByTestId('pending-state'))).toBe('1 pending change');
      expect(await text(renamed.locator('li[data-kind="renamed"]'))).toBe('renamed: Staging → Staging EU');
      // and the review says so too
      const dialog = await openReview(page, en, 'Staging EU');
      expect(await text(dialog.getByTestId('review-changes'))).toBe('renamed: Staging → Staging EU');
    } finally {
      await s.close();
    }
  }, 60_000);

  it('lists every reflection in the history, and re-exports an older one as a new, higher reflection', async () => {
    const s = await openApp(env.browser, env.url);
    const { page } = s;
    let T = en;
    try {
      await seedInfo(s, ['Shop']);
      await nav(page, T.nav.reflect);
      await reflectInUi(page, T, 'Shop');
      s.service.addDestinationException('Shop', '@partner\\.example$');
      await visible(card(page, 'Shop').getByText('1 pending change'));
      await reflectInUi(page, T, 'Shop');

      await card(page, 'Shop').getByRole('button', { name: T.history.button }).click();
      let history = page.getByRole('dialog', { name: 'History of "Shop"' }).getByTestId('history');
      await visible(history);
      expect(await history.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.serial))).toEqual([
        '2',
        '1',
      ]);
      const row2 = history.locator('tr[data-serial="2"]');
      expect(await text(row2)).toContain('latest');
      expect(await text(row2)).toContain('destination exception added: @partner\\.example$');
      expect(await text(row2)).toMatch(/shop-[0-9a-f]{8}-r2-\d{8}T\d{6}Z\.smime-bundle\.json/);
      expect(await text(row2)).toContain(`SHA-256 ${s.service.history('Shop')[0]!.fingerprintSha256.slice(0, 16)}`);
      expect(await text(history.locator('tr[data-serial="1"]'))).toContain('first reflection: Shop');
      expect(await row2.getByRole('button', { name: T.history.reexport }).count()).toBe(0);
      await screenshot(page, 'en', 'history');

      // re-export reflection 1: the same review and passphrase dialog, for what reflection 1 sent
      await history.locator('tr[data-serial="1"]').getByRole('button', { name: T.history.reexport }).click();
      const dialog = page.getByRole('dialog', { name: 'Re-export reflection 1 of "Shop"' });
      await visible(dialog.getByTestId('review'));
      expect(await text(dialog.getByTestId('review-changes'))).toBe(
        'destination exception removed: @partner\\.example$',
      );
      await fillPassphrase(dialog, T);
      await dialog.getByRole('button', { name: T.reflect.export }).click();
      await dialog.waitFor({ state: 'detached' });
      expect(await text(page.getByTestId('result-serial'))).toBe('3');
      expect(s.service.history('Shop')[0]).toMatchObject({ serial: 3, reexportOf: 1 });
      expect(s.service.getComposition('Shop').destinationExceptions.some((e) => e.pattern.includes('partner'))).toBe(
        false,
      );

      // in Japanese: three reflections, the newest a re-export of the first
      T = await setLanguage(s, 'ja');
      await nav(page, T.nav.reflect);
      await card(page, 'Shop').getByRole('button', { name: T.history.button }).click();
      history = page.getByRole('dialog', { name: '「Shop」の履歴' }).getByTestId('history');
      await visible(history);
      expect(await history.locator('tbody tr').count()).toBe(3);
      expect(await text(history.locator('tr[data-serial="3"]'))).toContain('1 の再エクスポート');
      await screenshot(page, 'ja', 'history');
    } finally {
      await s.close();
    }
  }, 90_000);

  it('says a reflection is in effect only once every relay runs it: a real relay, started here', async () => {
    const s = await openApp(env.browser, env.url);
    const { page } = s;
    let T = en;
    let relay: RunningRelay | undefined;
    const publish = tempDir('smime-publish-');
    try {
      await seedInfo(s, ['Relay'], { reload: false });
      s.service.setPublishDir('Relay', publish);
      await page.reload();
      await nav(page, T.nav.reflect);
      const comp = card(page, 'Relay');
      await visible(comp.getByTestId('publish-dir').getByText(publish));
      await reflectInUi(page, T, 'Relay');
      expect(bundles(publish)).toHaveLength(1);

      relay = await startRelay({
        bundleDir: publish,
        composition: 'Relay',
        upstream: { host: '127.0.0.1', port: 9 },
        listen: { host: '127.0.0.1', port: 0 },
        status: { host: '127.0.0.1', port: 0 },
        passphrase: PASS,
        rescanMs: 200,
        logDestination: quiet,
      });
      const relayUrl = `http://127.0.0.1:${relay.ports.status}`;
      const down = 'http://127.0.0.1:9';
      const panel = page.getByTestId('servers-panel');
      const status = panel.locator('[data-servers-composition="Relay"]');
      const badge = status.getByTestId('in-effect');
      const until = async (want: string) => {
        for (let i = 0; i < 50; i++) {
          if ((await badge.count()) > 0 && (await text(badge)) === want) return;
          await panel.getByRole('button', { name: T.servers.check }).click();
          await page.waitForTimeout(200);
        }
        expect(await text(badge)).toBe(want);
      };

      // a bad URL is said next to the field as it is typed, in the UI's language, and cannot be saved
      const field = comp.getByLabel(T.publish.servers);
      await field.fill('not a url');
      await visible(comp.getByTestId('bad-server-url'));
      expect(await text(comp.getByTestId('bad-server-url'))).toBe(
        '"not a url" is not a relay status address: use http(s)://HOST:PORT, without a user name or query.',
      );
      expect(await comp.getByRole('button', { name: T.publish.save }).isDisabled()).toBe(true);
      await field.fill('http://user:pw@mail1.example.com:8025');
      await visible(comp.getByTestId('bad-server-url'));

      // one relay runs reflection 1, the other does not answer: not in effect
      await field.fill(`${relayUrl}\n${down}`);
      await comp.getByRole('button', { name: T.publish.save }).click();
      await visible(status);
      await until(T.servers.notInEffect);
      expect(await text(status.locator(`tr[data-url="${down}"]`))).toMatch(
        /No: connection refused: nothing listens at that address .*ECONNREFUSED/,
      );
      expect(await text(status.locator(`tr[data-url="${relayUrl}"]`))).toMatch(/Yes reflection 1 latest/);
      await shoot(page, 'en', 'servers', panel);

      // only the relay that answers: in effect
      await field.fill(relayUrl);
      await comp.getByRole('button', { name: T.publish.save }).click();
      await until(T.servers.inEffect);

      // reflection 2 kept back from the relay (no publish folder): not in effect, it still runs 1
      await comp.getByRole('button', { name: T.publish.clear }).click();
      await visible(comp.getByTestId('publish-dir').getByText(T.publish.folderNone));
      s.service.setIntelligentBcc('Relay', true);
      await visible(comp.getByText('1 pending change'));
      await reflectInUi(page, T, 'Relay');
      expect(bundles(publish)).toHaveLength(1);
      await until(T.servers.notInEffect);
      expect(await text(status)).toContain('Latest reflection: 2');
      expect(await text(status.locator(`tr[data-url="${relayUrl}"]`))).toMatch(/reflection 1 not the latest/);

      // reflection 3 published: in effect once the relay loaded it
      s.service.setPublishDir('Relay', publish);
      await visible(comp.getByTestId('publish-dir').getByText(publish));
      await reflectInUi(page, T, 'Relay');
      expect(bundles(publish)).toHaveLength(2);
      await until(T.servers.inEffect);
      expect(await text(status.locator(`tr[data-url="${relayUrl}"]`))).toMatch(/reflection 3 latest/);
      expect(await text(status.locator(`tr[data-url="${relayUrl}"]`))).toMatch(/none$/);

      // the history says which reflection the servers run
      await comp.getByRole('button', { name: T.history.button }).click();
      const history = page.getByRole('dialog').getByTestId('history');
      await visible(history);
      expect(await text(history.locator('tr[data-serial="3"]'))).toContain('running on 1 of 1 server');
      await page.keyboard.press('Escape');

      T = await setLanguage(s, 'ja');
      await nav(page, T.nav.reflect);
      await until(T.servers.inEffect);
      expect(await text(status.locator(`tr[data-url="${relayUrl}"]`))).toContain('反映 3 最新');
      await shoot(page, 'ja', 'servers', panel);
    } finally {
      await relay?.stop(100);
      await s.close();
    }
  }, 90_000);

  it('lists the actions in the audit log, says the chain is intact, and names the entry a flipped byte broke', async () => {
    const s = await openApp(env.browser, env.url);
    const { page } = s;
    let T = en;
    try {
      await seedInfo(s, ['Shop']);
      await nav(page, T.nav.reflect);
      await reflectInUi(page, T, 'Shop');
      await nav(page, T.nav.audit);
      const banner = page.getByTestId('audit-chain');
      await visible(banner);
      expect(await text(banner)).toContain('The audit log is intact: 5 entries, each chained to the one before.');
      const rows = page.getByTestId('audit-entries').locator('tbody tr');
      expect(await rows.evaluateAll((r) => r.map((x) => x.getAttribute('data-action')))).toEqual([
        'reflect',
        'composition.enable-cert',
        'composition.create',
        'certificate.add',
        'admin-password.set',
      ]);
      expect(await text(rows.nth(0))).toMatch(/reflected Shop .*reflection: 1/);

      // filters: action, composition, certificate address, since
      const filters = page.getByRole('form', { name: T.audit.filters });
      await filters.getByLabel(T.audit.action).selectOption('composition');
      await filters.getByRole('button', { name: T.audit.apply }).click();
      await page.waitForFunction(
        () => document.querySelectorAll('[data-testid="audit-entries"] tbody tr').length === 2,
      );
      await filters.getByLabel(T.audit.action).selectOption('');
      // the composition field offers the names in use
      expect(
        await filters.locator('datalist option').evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value)),
      ).toEqual(['Shop']);
      await filters.getByLabel(T.audit.composition).fill('Shop');
      await filters.getByRole('button', { name: T.audit.apply }).click();
      await page.waitForFunction(
        () => document.querySelectorAll('[data-testid="audit-entries"] tbody tr').length === 3,
      );
      await filters.getByLabel(T.audit.composition).fill('');
      await filters.getByLabel(T.audit.address).fill('INFO@example.com');
      await filters.getByRole('button', { name: T.audit.apply }).click();
      await page.waitForFunction(
        () => document.querySelectorAll('[data-testid="audit-entries"] tbody tr').length === 2,
      );
      expect(await rows.evaluateAll((r) => r.map((x) => x.getAttribute('data-action')))).toEqual([
        'composition.enable-cert',
        'certificate.add',
      ]);
      await filters.getByLabel(T.audit.address).fill('');
      await filters.getByLabel(T.audit.since).fill(new Date(Date.now() + 2 * DAY).toISOString().slice(0, 10));
      await filters.getByRole('button', { name: T.audit.apply }).click();
      await visible(page.getByText(T.audit.empty));
      await filters.getByRole('button', { name: T.audit.reset }).click();
      await page.waitForFunction(
        () => document.querySelectorAll('[data-testid="audit-entries"] tbody tr').length === 5,
      );
      await screenshot(page, 'en', 'audit');

      // one byte of the third entry flipped: the chain names it
      const log = join(s.dataDir, 'audit.log');
      const bytes = readFileSync(log);
      const lines = bytes.toString('utf8').split('\n');
      const offset = lines.slice(0, 2).join('\n').length + 1 + lines[2]!.indexOf('"target":"Shop"') + 10;
      expect(String.fromCharCode(bytes[offset]!)).toBe('S');
      bytes[offset] = bytes[offset]! ^ 0x01;
      writeFileSync(log, bytes);
      await page.getByRole('button', { name: T.audit.verify }).click();
      await visible(page.locator('[data-testid="audit-chain"][data-intact="false"]'));
      expect(await text(banner)).toMatch(
        /^The audit log is NOT intact: entry 3 \(composition created, .*\) was changed after it was written\./,
      );
      await screenshot(page, 'en', 'audit-broken');

      T = await setLanguage(s, 'ja');
      await nav(page, T.nav.audit);
      await visible(page.locator('[data-testid="audit-chain"][data-intact="false"]'));
      expect(await text(banner)).toMatch(
        /^監査ログが改ざんされています: 項目 3（構成を作成、.*）が書き込み後に変更されています。/,
      );
      await screenshot(page, 'ja', 'audit');
    } finally {
      await s.close();
    }
  }, 90_000);
});
