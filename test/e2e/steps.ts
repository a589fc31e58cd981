/** Steps the e2e tests share: reading text, navigating, seeding an admin's data, axe, the keyboard. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { Session } from './harness';

export const text = async (l: Locator) => (await l.first().innerText()).replace(/\s+/g, ' ').trim();
export const visible = (l: Locator, timeout = 15_000) => l.first().waitFor({ state: 'visible', timeout });

export async function nav(page: Page, name: string) {
  await page
    .getByRole('navigation')
    .getByRole('button', { name: new RegExp(`^${name}`) })
    .click();
}

export const ADMIN_PASSWORD = 'correct horse battery';

/** An admin who has set up: password, the given certificates registered and checked; the page reloaded. */
export async function seed(
  s: Session,
  certs: { email: string; p12: Buffer; password: string }[],
  compositions: { name: string; emails: string[] }[] = [],
  { reload = true } = {},
) {
  s.service.setAdminPassword(ADMIN_PASSWORD);
  for (const c of certs) await s.service.addCertificate(c);
  for (const comp of compositions) {
    s.service.createComposition(comp.name);
    for (const e of comp.emails) s.service.setCertificateEnabled(comp.name, e, true);
  }
  if (reload) await s.page.reload();
}

export async function dropFile(page: Page, testId: string, name: string, bytes: Buffer) {
  await page.evaluate(
    ([id, n, b64]) => {
      const bin = atob(b64);
      const arr = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) arr[i] = bin.charCodeAt(i);
      const dt = new DataTransfer();
      dt.items.add(new File([arr], n));
      document
        .querySelector(`[data-testid="${id}"]`)!
        .dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    },
    [testId, name, bytes.toString('base64')] as const,
  );
}

let axeSource: string | undefined;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/**
 * Runs axe-core (every rule but the experimental ones) on the page as it is and returns the
 * violations, one line each. Injected through CDP evaluation, which the page's CSP does not
 * govern: the page itself keeps its policy.
 */
export async function axe(page: Page): Promise<string[]> {
  axeSource ??= readFileSync(join(__dirname, '..', '..', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  const has = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== 'undefined');
  if (!has) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const a = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: unknown[] }> } })
      .axe;
    const r = await a.run(document, { resultTypes: ['violations'] });
    return r.violations as AxeViolation[];
  });
  return violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id} (${v.impact}): ${v.help} — ${n.target.join(' ')} — ${n.failureSummary ?? ''}`),
  );
}

/** What has focus, described for an assertion: tag, role, accessible name as far as the DOM tells. */
export async function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const a = document.activeElement as HTMLElement | null;
    if (!a || a === document.body) return 'body';
    const label =
      a.getAttribute('aria-label') ??
      (a.id ? document.querySelector(`label[for="${a.id}"]`)?.textContent : null) ??
      a.textContent ??
      '';
    return `${a.tagName.toLowerCase()}:${label.trim()}`;
  });
}

/**
 * Waits (up to 5 s) until what has focus is `expected`: focus moved by the app after a frame or a
 * tick (a dialog giving it back to its opener) is asserted without racing it.
 */
export async function expectFocus(page: Page, expected: string | RegExp): Promise<void> {
  const poll = expect.poll(() => focused(page), { timeout: 5_000 });
  if (typeof expected === 'string') await poll.toBe(expected);
  else await poll.toMatch(expected);
}

/**
 * Presses Tab (or Shift+Tab) until `target` has focus, at most `max` times: proves the keyboard
 * reaches it, in the page's own order.
 */
export async function tabTo(page: Page, target: Locator, { max = 60, back = false } = {}): Promise<void> {
  const handle = await target.first().elementHandle({ timeout: 15_000 });
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((el) => document.activeElement === el, handle)) return;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`${max} presses of Tab did not reach ${target.toString()}; focus is on ${await focused(page)}`);
}
