// @vitest-environment jsdom
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditEntryView, CompositionServers, ReflectReview, ReflectWarning } from '../../main/contract';
import { concernsAddress } from '../../renderer/stores/audit-store';
import { useAppStore } from '../../renderer/stores/app-store';
import { confirmKey, useReflectStore } from '../../renderer/stores/reflect-store';
import { Confirmations } from '../../renderer/screens/Reflect/confirmations';
import { actionText } from '../../renderer/screens/Audit/action-text';
import { en, ja } from '../../renderer/i18n/strings';
import { defaultHeaderExceptions } from '../../main/core/relay/patterns';

const ok = <T,>(value: T) => Promise.resolve({ ok: true as const, value });

function review(name: string, confirmations: ReflectWarning[]): ReflectReview {
  return {
    composition: { id: `id-${name}`, name },
    certificates: [],
    destinationExceptions: [],
    headerExceptions: [],
    intelligentBcc: false,
    changes: [{ kind: 'never-reflected', subject: name }],
    confirmations,
    confirmationKeys: confirmations.map((w) => `${w.code}:`),
    lastReflection: null,
    publishDir: null,
    suggestedFileName: `${name}.smime-bundle.json`,
  };
}

function fakeApi(overrides: Record<string, unknown>) {
  Object.defineProperty(window, 'smime', { value: overrides, configurable: true });
}

const noCert: ReflectWarning = { code: 'no-certificate', params: {} };
const initial = useReflectStore.getState();

beforeEach(() => {
  useReflectStore.setState(initial, true);
  useAppStore.setState({ language: 'en', notices: [] });
});
afterEach(cleanup);

describe('reflect store', () => {
  it('reflects all only when main would confirm nothing the admin did not see', async () => {
    let reviews = [review('A', []), review('B', [noCert])];
    const reflectAll = vi.fn(() => ok([]));
    fakeApi({
      listPending: () =>
        ok(
          reviews.map((r) => ({
            id: r.composition.name,
            composition: r.composition.name,
            lastReflectedAt: null,
            changes: r.changes,
          })),
        ),
      reviewReflection: ({ name }: { name: string }) => ok(reviews.find((r) => r.composition.name === name)!),
      reflectAll,
      listCompositions: () => ok([]),
      serversStatus: () => ok([]),
    });
    const store = useReflectStore.getState();
    await store.loadReviewsAll();
    // meanwhile A lost its certificate: a confirmation the admin has not seen
    reviews = [review('A', [noCert]), review('B', [noCert])];
    await expect(store.reflectAll('a long passphrase', [confirmKey('B', 'no-certificate:')])).rejects.toMatchObject({
      code: 'REFLECT_NOT_CONFIRMED',
    });
    expect(reflectAll).not.toHaveBeenCalled();
    expect(useReflectStore.getState().reviewsAll!.map((r) => r.confirmations.length)).toEqual([1, 1]);
    // seen and ticked: main is asked, confirming all
    await store.reflectAll('a long passphrase', [
      confirmKey('A', 'no-certificate:'),
      confirmKey('B', 'no-certificate:'),
    ]);
    expect(reflectAll).toHaveBeenCalledWith({ passphrase: 'a long passphrase', confirmAll: true });
  });

  it('keeps the answer of the latest server check, not of a slower earlier one', async () => {
    const answers: ((v: { ok: true; value: CompositionServers[] }) => void)[] = [];
    fakeApi({ serversStatus: () => new Promise((r) => answers.push(r)) });
    const store = useReflectStore.getState();
    const first = store.checkServers();
    const second = store.checkServers();
    const status = (inEffect: boolean): CompositionServers[] => [
      { composition: 'A', latestSerial: 2, inEffect, servers: [] },
    ];
    answers[1]!({ ok: true, value: status(true) });
    await second;
    answers[0]!({ ok: true, value: status(false) });
    await first;
    expect(useReflectStore.getState().servers[0]!.inEffect).toBe(true);
    expect(useReflectStore.getState().checkingServers).toBe(false);
  });
});

describe('confirmations and the audit filter', () => {
  it('gives each confirmation its own "I understand" checkbox, in words for its code', () => {
    const changes: [string, boolean][] = [];
    render(
      <Confirmations
        items={[
          { key: 'a', warning: noCert },
          { key: 'b', warning: { code: 'certificate-expiring', params: { email: 'x@example.jp', days: 5 } } },
        ]}
        checked={new Set(['b'])}
        onChange={(k, on) => changes.push([k, on])}
      />,
    );
    const boxes = screen.getAllByRole('checkbox');
    expect(boxes.map((b) => (b as HTMLInputElement).checked)).toEqual([false, true]);
    screen.getByRole('checkbox', {
      name: 'I understand: no certificate is checked in this composition: the servers will sign nothing',
    });
    screen.getByRole('checkbox', { name: 'I understand: the certificate for x@example.jp expires in 5 days' });
    fireEvent.click(boxes[0]!);
    expect(changes).toEqual([['a', true]]);
  });

  it('matches a certificate address as the target or in the details, whatever its case', () => {
    const e = (target: string, details?: AuditEntryView['details']): AuditEntryView => ({
      at: '2026-01-01T00:00:00Z',
      user: 'u',
      action: 'x',
      target,
      ...(details ? { details } : {}),
    });
    expect(concernsAddress(e('info@example.com'), 'INFO@example.com')).toBe(true);
    expect(concernsAddress(e('Shop', { email: 'info@example.com' }), 'info@example.com')).toBe(true);
    expect(concernsAddress(e('Shop', { id: 3 }), 'info@example.com')).toBe(false);
  });

  it('has words in both languages for every action the core writes to the audit log', () => {
    const dir = join(__dirname, '..', '..', 'main', 'core', 'domain');
    const written = new Set<string>();
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/\.audit\(\s*'([a-z.-]+)'/g)) written.add(m[1]!);
    }
    expect(written.size).toBeGreaterThan(15);
    for (const action of written) {
      expect(actionText(en, action), action).not.toBe(action);
      expect(actionText(ja, action), action).not.toBe(action);
    }
  });

  it('says what each default header exception is for in both languages', () => {
    for (const x of defaultHeaderExceptions(1)) {
      expect(en.comps.defaultHeaderNote[x.pattern]).toBe(x.note);
      expect(ja.comps.defaultHeaderNote[x.pattern]).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    }
  });

  it('names audit actions in words, and an unknown one by its code', () => {
    expect(actionText(en, 'composition.enable-cert')).toBe('certificate checked');
    expect(actionText(ja, 'reflect')).toBe('反映');
    expect(actionText(en, 'bundle.import')).toBe('bundle imported');
    expect(actionText(en, 'reflect.something')).toBe('reflect.something');
    expect(actionText(en, 'future.action')).toBe('future.action');
  });
});
