// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Dialog } from '../../renderer/components/dialog';
import { ErrorMessage } from '../../renderer/components/error-message';
import { splitSource } from '../../renderer/components/mime-source';
import { StatusBadge } from '../../renderer/components/status-badge';
import { UiError } from '../../renderer/api';
import { ERROR_TEXT } from '../../renderer/i18n/errors';
import { en, ja } from '../../renderer/i18n/strings';
import { fill, fillNodes } from '../../renderer/i18n';
import { useAppStore } from '../../renderer/stores/app-store';
import { useCertificatesStore, visibleCertificates, type SortKey } from '../../renderer/stores/certificates-store';
import { breakPoints, patternTokens } from '../../renderer/components/pattern-text';
import { renewalRisks } from '../../renderer/screens/Certificates/certificate-dialog';
import { LoadState } from '../../renderer/components/load-state';
import { useCompositionsStore } from '../../renderer/stores/compositions-store';
import type { CertificateInfo, CertificateView, CompositionView } from '../../main/contract';
import { PATTERN_MAX as CONTRACT_PATTERN_MAX, requestSchemas } from '../../main/contract/channels';
import { PATTERN_MAX } from '../../renderer/screens/Compositions/limits';

afterEach(cleanup);
beforeEach(() => act(() => useAppStore.setState({ language: 'en' })));

function leaves(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) =>
    typeof v === 'object' && v !== null ? leaves(v, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

describe('texts', () => {
  it('Japanese has every English text, none empty, with the same placeholders', () => {
    expect(leaves(ja).sort()).toEqual(leaves(en).sort());
    const get = (o: object, path: string) =>
      path.split('.').reduce((x: unknown, k) => (x as Record<string, unknown>)[k], o) as string;
    for (const key of leaves(en)) {
      expect(get(ja, key).trim(), key).not.toBe('');
      expect((get(ja, key).match(/\{\w+\}/g) ?? []).sort(), key).toEqual((get(en, key).match(/\{\w+\}/g) ?? []).sort());
    }
    for (const [code, t] of Object.entries(ERROR_TEXT)) {
      expect(t.en, code).toMatch(/\.$/);
      expect(t.ja, code).not.toBe('');
    }
  });

  it('fills placeholders', () => {
    expect(fill(en.status.expiring, { n: 5 })).toBe('Expires in 5 days');
    expect(fill(ja.status.expiring, { n: 5 })).toBe('あと 5 日で期限切れ');
    // English counts take the singular for one
    expect(fill(en.status.expiring, { n: 1 })).toBe('Expires in 1 day');
    expect(fill(en.reflectAll.certificates, { n: 1 })).toBe('1 certificate');
    expect(fill(en.reflectAll.certificates, { n: 0 })).toBe('0 certificates');
    expect(fill(en.audit.unchained, { n: 1 })).toBe('1 older entry from before the chain is not checked.');
    // no English text leaves a count form unfilled: every {x|…|…} names a placeholder of its own text
    for (const key of leaves(en)) {
      const text = key.split('.').reduce((x: unknown, k) => (x as Record<string, unknown>)[k], en) as string;
      for (const [, name] of text.matchAll(/\{(\w+)\|[^{}]*\}/g)) expect(text, key).toContain(`{${name}}`);
    }
  });
});

describe('widgets', () => {
  it('StatusBadge says the status in words, in the UI language', () => {
    render(<StatusBadge status="expiring" daysLeft={12} threshold={0} />);
    expect(screen.getByText('Expires in 12 days').className).toBe('badge warn');
    act(() => useAppStore.setState({ language: 'ja' }));
    expect(screen.getByText('あと 12 日で期限切れ')).toBeTruthy();
    cleanup();
    render(<StatusBadge status="expired" daysLeft={-1} />);
    expect(screen.getByText('期限切れ').className).toBe('badge bad');
  });

  it('ErrorMessage shows the code text and the one-line reason, never a raw object', () => {
    render(
      <ErrorMessage
        error={
          new UiError({
            code: 'CERT_IN_USE',
            message: 'the certificate for a@x.jp is still in use; it is checked in "N"',
          })
        }
      />,
    );
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toBe(
      'The certificate is still in use.the certificate for a@x.jp is still in use; it is checked in "N"',
    );
    expect(alert.getAttribute('data-code')).toBe('CERT_IN_USE');
  });

  it('Dialog is modal: labelled, focus on the first field, Tab trapped, Escape from anywhere, page inert, focus back', async () => {
    let closed = 0;
    const opener = document.createElement('button');
    opener.textContent = 'opener';
    document.body.appendChild(opener);
    opener.focus();
    const view = render(
      <>
        <button>outside</button>
        <Dialog title="Delete" onClose={() => closed++}>
          <input aria-label="first" />
          <button>last</button>
        </Dialog>
      </>,
    );
    const dialog = screen.getByRole('dialog', { name: 'Delete' });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    // the first field, not "×"
    expect(document.activeElement).toBe(screen.getByRole('textbox', { name: 'first' }));
    // everything but the dialog is inert
    expect(view.container.hasAttribute('inert')).toBe(true);
    expect(dialog.closest('[inert]')).toBeNull();
    screen.getByRole('button', { name: 'last' }).focus();
    fireEvent.keyDown(document.activeElement!, { key: 'Tab' });
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Close' }));
    fireEvent.keyDown(document.activeElement!, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'last' }));
    // focus lost to the page (a button disabled under it): Escape still closes, Tab comes back in
    (document.activeElement as HTMLElement).blur();
    fireEvent.keyDown(document.body, { key: 'Tab' });
    expect(dialog.contains(document.activeElement)).toBe(true);
    fireEvent.keyDown(document.body, { key: 'Escape' });
    expect(closed).toBe(1);
    view.unmount();
    await new Promise((r) => setTimeout(r, 5));
    expect(view.container.hasAttribute('inert')).toBe(false);
    expect(document.activeElement).toBe(opener);
    opener.remove();
  });

  it('Dialog with onSubmit: Enter in a field submits', () => {
    let submitted = 0;
    render(
      <Dialog
        title="Add"
        onClose={() => undefined}
        onSubmit={() => submitted++}
        footer={<button type="submit">Save</button>}
      >
        <input aria-label="name" />
      </Dialog>,
    );
    fireEvent.submit(screen.getByRole('textbox', { name: 'name' }).closest('form')!);
    expect(submitted).toBe(1);
  });
});

describe('stores and helpers', () => {
  it("says a pattern is too long at the contract's own limit", () => {
    expect(PATTERN_MAX).toBe(CONTRACT_PATTERN_MAX);
    const schema = requestSchemas['exception:add-destination'];
    expect(schema.safeParse({ name: 'c', pattern: 'a'.repeat(PATTERN_MAX) }).success).toBe(true);
    expect(schema.safeParse({ name: 'c', pattern: 'a'.repeat(PATTERN_MAX + 1) }).success).toBe(false);
  });

  const cert = (email: string, status: CertificateView['status'], notAfter: string): CertificateView =>
    ({
      email,
      status,
      notAfter,
      commonName: email.split('@')[0]!,
      issuerCommonName: 'CA',
      daysLeft: 1,
      usedBy: email === 'b@x.jp' ? ['News'] : [],
      reflectedIn: [] as string[],
    }) as CertificateView;
  const list = [
    cert('b@x.jp', 'valid', '2027-05-01'),
    cert('a@x.jp', 'expired', '2026-01-01'),
    cert('c@y.jp', 'expiring', '2026-12-01'),
  ];

  it('filters certificates by status and text, and sorts by expiry both ways', () => {
    const by = (key: SortKey, asc = true) => ({ key, asc });
    const emails = (s: Parameters<typeof visibleCertificates>[0]) => visibleCertificates(s).map((c) => c.email);
    expect(emails({ list, filter: 'all', query: '', sort: by('notAfter') })).toEqual(['a@x.jp', 'c@y.jp', 'b@x.jp']);
    expect(emails({ list, filter: 'all', query: '', sort: by('notAfter', false) })).toEqual([
      'b@x.jp',
      'c@y.jp',
      'a@x.jp',
    ]);
    expect(emails({ list, filter: 'expired', query: '', sort: by('notAfter') })).toEqual(['a@x.jp']);
    expect(emails({ list, filter: 'attention', query: '', sort: by('email') })).toEqual(['a@x.jp', 'c@y.jp']);
    expect(emails({ list, filter: 'all', query: 'Y.JP', sort: by('notAfter') })).toEqual(['c@y.jp']);
    // every column sorts, ties by expiry
    expect(emails({ list, filter: 'all', query: '', sort: by('email', false) })).toEqual([
      'c@y.jp',
      'b@x.jp',
      'a@x.jp',
    ]);
    expect(emails({ list, filter: 'all', query: '', sort: by('status') })).toEqual(['a@x.jp', 'c@y.jp', 'b@x.jp']);
    expect(emails({ list, filter: 'all', query: 'news', sort: by('notAfter') })).toEqual(['b@x.jp']);
  });

  it('app store reports errors as notices with their code', () => {
    act(() => useAppStore.getState().reportError(new UiError({ code: 'KEYCHAIN_UNAVAILABLE', message: 'no D-Bus' })));
    const n = useAppStore.getState().notices.at(-1)!;
    expect(n).toMatchObject({ kind: 'error', text: 'no D-Bus' });
    expect(n.error?.code).toBe('KEYCHAIN_UNAVAILABLE');
    act(() => useAppStore.getState().dismiss(n.id));
    expect(useAppStore.getState().notices).not.toContainEqual(n);
  });

  it('splits a signed MIME source into header and parts for display', () => {
    const src =
      'From: a@x.jp\r\nContent-Type: multipart/signed; protocol="application/pkcs7-signature";\r\n micalg=sha-256; boundary="b1"\r\n\r\npreamble\r\n--b1\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b1\r\nContent-Type: application/pkcs7-signature\r\n\r\nMIIB\r\n--b1--\r\n';
    const r = splitSource(src);
    expect(r.header).toContain('boundary="b1"');
    expect(r.parts.map((p) => p.title)).toEqual(['text/plain', 'application/pkcs7-signature']);
    expect(splitSource('From: a\r\n\r\nplain body').parts).toEqual([{ title: null, text: 'plain body' }]);
  });

  it('keeps the first part of an unsigned multipart message, whose first delimiter starts the body', () => {
    const src =
      'From: a@x.jp\r\nContent-Type: multipart/mixed; boundary="----=_part_1"\r\n\r\n------=_part_1\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nbody text\r\n------=_part_1\r\nContent-Type: application/pdf\r\n\r\nAQID\r\n------=_part_1--\r\n';
    const r = splitSource(src);
    expect(r.parts.map((p) => p.title)).toEqual(['text/plain', 'application/pdf']);
    expect(r.parts[0]!.text).toBe('Content-Type: text/plain; charset=UTF-8\r\n\r\nbody text');
  });

  it('splits a pattern into tokens that a line may not break inside', () => {
    expect(patternTokens('@(?:[^@]+\\.)?docomo\\.ne\\.jp$')).toEqual([
      '@',
      '(?:',
      '[^@]',
      '+',
      '\\.',
      ')',
      '?',
      'd',
      'o',
      'c',
      'o',
      'm',
      'o',
      '\\.',
      'n',
      'e',
      '\\.',
      'j',
      'p',
      '$',
    ]);
  });

  it('a composition change moves "used by" without a reload; a rename renames, a deletion forgets', () => {
    const base = (id: string, email: string, usedBy: string[], reflectedIn: string[] = []) =>
      ({ id, email, usedBy, reflectedIn }) as unknown as CertificateView;
    act(() =>
      useCertificatesStore.setState({
        list: [base('a', 'a@x.jp', ['N']), base('b', 'b@x.jp', [], ['N']), base('c', 'c@x.jp', ['M'])],
      }),
    );
    const comp = (name: string, ids: string[]) =>
      ({ id: 'n', name, certificates: ids.map((id) => ({ id })) }) as unknown as CompositionView;
    act(() => useCertificatesStore.getState().compositionChanged(comp('N', ['b'])));
    const uses = () => useCertificatesStore.getState().list.map((c) => [c.email, c.usedBy, c.reflectedIn]);
    expect(uses()).toEqual([
      ['a@x.jp', [], []],
      ['b@x.jp', ['N'], ['N']],
      ['c@x.jp', ['M'], []],
    ]);
    act(() => useCertificatesStore.getState().compositionChanged(comp('News', ['b']), 'N'));
    expect(uses()[1]).toEqual(['b@x.jp', ['News'], ['News']]);
    act(() => useCertificatesStore.getState().compositionRemoved('News'));
    expect(uses()[1]).toEqual(['b@x.jp', [], []]);
  });

  it('a renewal is a risk when it is the same certificate, ends sooner, or has ended', () => {
    const current = { fingerprintSha256: 'AA:BB', notAfter: '2030-01-01T00:00:00Z' } as CertificateView;
    const next = (fingerprintSha256: string, notAfter: string) => ({ fingerprintSha256, notAfter }) as CertificateInfo;
    const now = Date.parse('2029-06-01T00:00:00Z');
    expect(renewalRisks(current, next('aabb', '2030-01-01T00:00:00Z'), now)).toEqual(['same']);
    expect(renewalRisks(current, next('CC:DD', '2029-12-01T00:00:00Z'), now)).toEqual(['older']);
    expect(renewalRisks(current, next('CC:DD', '2029-05-01T00:00:00Z'), now)).toEqual(['older', 'expired']);
    expect(renewalRisks(current, next('CC:DD', '2031-01-01T00:00:00Z'), now)).toEqual([]);
  });

  it('fills placeholders with elements, and breaks patterns only outside groups', () => {
    render(<p data-testid="p">{fillNodes('Mail matching {pattern} is signed.', { pattern: <code>@x</code> })}</p>);
    expect(screen.getByTestId('p').innerHTML).toBe('Mail matching <code>@x</code> is signed.');
    const tokens = patternTokens('^(a|b)@x\\.jp|@y$');
    expect([...breakPoints(tokens)].map((i) => tokens[i])).toEqual(['(', '@', '\\.', '|', '@']);
  });
});

describe('a list that cannot be read', () => {
  it('says why with a way to try again, never a Loading… that stays, and shows the list once a retry works', async () => {
    let calls = 0;
    Object.defineProperty(window, 'smime', {
      configurable: true,
      value: {
        listCompositions: () =>
          Promise.resolve(
            ++calls === 1
              ? { ok: false, error: { code: 'STORE_LOCKED', message: 'the data folder is in use by pid 4242' } }
              : { ok: true, value: [] },
          ),
      },
    });
    const store = useCompositionsStore;
    store.setState({ list: [], loaded: false, loadError: null });
    useAppStore.setState({ notices: [] });
    const Screen = () => {
      const { loaded, loadError, load } = store();
      return loaded ? <p>loaded</p> : <LoadState text="Loading…" error={loadError} onRetry={() => void load()} />;
    };
    render(<Screen />);
    expect(screen.getByRole('status').textContent).toBe('Loading…');
    await act(() => store.getState().load());
    expect(screen.queryByRole('status')).toBeNull();
    expect(screen.getByRole('alert').textContent).toContain('the data folder is in use by pid 4242');
    // the first read failed before anything was shown: the screen says so, not also a notice
    expect(useAppStore.getState().notices).toEqual([]);
    fireEvent.click(screen.getByRole('button', { name: en.common.retry }));
    await screen.findByText('loaded');
    expect(calls).toBe(2);
    expect(store.getState().loadError).toBeNull();
  });
});
