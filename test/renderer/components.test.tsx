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
import { fill } from '../../renderer/i18n';
import { useAppStore } from '../../renderer/stores/app-store';
import { visibleCertificates } from '../../renderer/stores/certificates-store';
import type { CertificateView } from '../../main/contract';

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

  it('Dialog is labelled, takes focus, traps Tab and closes on Escape', () => {
    let closed = 0;
    render(
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
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Close' }));
    screen.getByRole('button', { name: 'last' }).focus();
    fireEvent.keyDown(dialog, { key: 'Tab' });
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Close' }));
    fireEvent.keyDown(dialog, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'last' }));
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(closed).toBe(1);
  });
});

describe('stores and helpers', () => {
  const cert = (email: string, status: CertificateView['status'], notAfter: string): CertificateView =>
    ({
      email,
      status,
      notAfter,
      commonName: email.split('@')[0],
      issuerCommonName: 'CA',
      daysLeft: 1,
    }) as CertificateView;
  const list = [
    cert('b@x.jp', 'valid', '2027-05-01'),
    cert('a@x.jp', 'expired', '2026-01-01'),
    cert('c@y.jp', 'expiring', '2026-12-01'),
  ];

  it('filters certificates by status and text, and sorts by expiry both ways', () => {
    expect(visibleCertificates({ list, filter: 'all', query: '', sortAsc: true }).map((c) => c.email)).toEqual([
      'a@x.jp',
      'c@y.jp',
      'b@x.jp',
    ]);
    expect(visibleCertificates({ list, filter: 'all', query: '', sortAsc: false }).map((c) => c.email)).toEqual([
      'b@x.jp',
      'c@y.jp',
      'a@x.jp',
    ]);
    expect(visibleCertificates({ list, filter: 'expired', query: '', sortAsc: true }).map((c) => c.email)).toEqual([
      'a@x.jp',
    ]);
    expect(visibleCertificates({ list, filter: 'all', query: 'Y.JP', sortAsc: true }).map((c) => c.email)).toEqual([
      'c@y.jp',
    ]);
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
    expect(splitSource('From: a\r\n\r\nplain body').parts).toEqual([{ title: 'body', text: 'plain body' }]);
  });
});
