/**
 * Window and session hardening. Options are forced after any caller's overrides, so no
 * code path can turn the sandbox off; navigation, new windows, webviews and permission
 * requests are refused; a strict Content-Security-Policy goes on every response.
 */
import type { BrowserWindowConstructorOptions, Session, WebContents, WebPreferences } from 'electron';

export const APP_SCHEME = 'app';
export const APP_HOST = 'smime-admin';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_URL = `${APP_ORIGIN}/index.html`;

/** Response headers for every page: no remote origins, no inline script, no eval, no plugins, no framing. */
export function securityHeaders(): Record<string, string[]> {
  return {
    'Content-Security-Policy': [
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; frame-src 'none'; worker-src 'none'",
    ],
    'X-Content-Type-Options': ['nosniff'],
  };
}

export const CONTENT_SECURITY_POLICY = securityHeaders()['Content-Security-Policy']![0]!;

const FORCED: WebPreferences = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  spellcheck: false,
  safeDialogs: true,
};

/** Window options with the security flags forced last (VS Code's defaultBrowserWindowOptions habit). */
export function secureWindowOptions(
  preload: string,
  overrides: BrowserWindowConstructorOptions = {},
): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 800,
    minWidth: 960,
    minHeight: 640,
    show: false,
    title: 'smime-admin',
    ...overrides,
    webPreferences: { ...(overrides.webPreferences ?? {}), ...FORCED, preload },
  };
}

/** Only our own page, in our own window's main frame, may talk to main. */
export function isTrustedUrl(url: string | undefined): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

export interface NavigationGuardDeps {
  openExternal?: (url: string) => void;
  onBlocked?: (what: string, url: string) => void;
}

/** Refuses navigation away from the app, new windows and webviews. */
export function guardWebContents(
  contents: Pick<WebContents, 'on' | 'setWindowOpenHandler'>,
  deps: NavigationGuardDeps = {},
): void {
  const blocked = deps.onBlocked ?? (() => undefined);
  contents.on('will-navigate', (event, url) => {
    if (!isTrustedUrl(url)) {
      event.preventDefault();
      blocked('navigation', url);
    }
  });
  contents.on('will-redirect', (event, url) => {
    if (!isTrustedUrl(url)) {
      event.preventDefault();
      blocked('redirect', url);
    }
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    blocked('webview', '');
  });
  contents.setWindowOpenHandler(({ url }) => {
    blocked('window.open', url);
    return { action: 'deny' };
  });
}

/** The one permission the app uses: writing text to the clipboard (the preview's Copy button), for our own page only. */
export function permissionAllowed(permission: string, origin: string | undefined): boolean {
  return permission === 'clipboard-sanitized-write' && isTrustedUrl(origin);
}

/** Denies every other permission request and check, and adds the CSP header to every response. */
export function hardenSession(
  session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'webRequest'>,
): void {
  session.setPermissionRequestHandler((wc, permission, callback, details) =>
    callback(permissionAllowed(permission, details?.requestingUrl ?? wc?.getURL())),
  );
  session.setPermissionCheckHandler((_wc, permission, requestingOrigin) =>
    permissionAllowed(permission, requestingOrigin),
  );
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, ...securityHeaders() } });
  });
}
