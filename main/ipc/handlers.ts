/**
 * The main process's IPC handlers: thin calls into the admin core. No electron import:
 * dialogs, events and the clock are injected, so the same handlers serve the Electron
 * app, the browser bridge and the tests.
 */
import { AdminService } from '../core/domain/service';
import { composeMessage } from '../core/engine/compose';
import { SmimeError } from '../core/errors';
import { MAX_BUNDLE_BYTES } from '../core/relay/bundle';
import { MAX_MESSAGE_BYTES } from '../core/engine/mime';
import { MAX_P12_BYTES } from '../core/engine/pkcs12';
import type { Channel, EventName, EventTypes, FileKind, Request, Response } from '../contract/channels';
import { FileRegistry } from './files';

export interface Dialogs {
  /** Shows an open dialog for that kind of file; null when cancelled. */
  openFile(kind: FileKind): Promise<{ name: string; bytes: Buffer } | null>;
  /** Shows a save dialog; returns the chosen path, or null when cancelled. */
  savePath(kind: 'bundle' | 'eml', suggestedName: string): Promise<string | null>;
  /** Writes a file the user chose in savePath. */
  writeFile(path: string, data: Buffer): Promise<void>;
}

export interface HandlerDeps {
  service: AdminService;
  dialogs: Dialogs;
  files?: FileRegistry;
  emit?: <E extends EventName>(event: E, payload: EventTypes[E]) => void;
  version?: string;
  platform?: string;
  systemLanguage?: () => 'en' | 'ja';
}

export type Handlers = { [C in Channel]: (req: Request<C>) => Promise<Response<C>> };

const LIMITS: Record<FileKind, number> = { p12: MAX_P12_BYTES, eml: MAX_MESSAGE_BYTES, bundle: MAX_BUNDLE_BYTES };

function checkSize(kind: FileKind, name: string, size: number): void {
  if (size > LIMITS[kind]) throw new SmimeError('FILE_TOO_LARGE', `${name} is larger than ${Math.round(LIMITS[kind] / 1024)} KiB`);
}

export function createHandlers(deps: HandlerDeps): Handlers {
  const { service, dialogs } = deps;
  const files = deps.files ?? new FileRegistry();
  const emit = deps.emit ?? (() => undefined);
  return {
    'app:bootstrap': async () => ({
      adminPasswordSet: service.isAdminPasswordSet(),
      settings: service.getSettings(),
      version: deps.version ?? '0.0.0',
      platform: deps.platform ?? process.platform,
      systemLanguage: deps.systemLanguage?.() ?? 'en',
      attention: service.certificatesNeedingAttention(),
    }),
    'settings:update': async (r) => service.updateSettings({ ...(r.warnDays ? { warnDays: r.warnDays } : {}), ...(r.language !== undefined ? { language: r.language } : {}) }),
    'admin:set-password': async (r) => {
      service.setAdminPassword(r.newPassword, r.currentPassword);
      return null;
    },
    'file:open': async (r) => {
      const picked = await dialogs.openFile(r.kind);
      if (!picked) return null;
      checkSize(r.kind, picked.name, picked.bytes.length);
      return files.register(r.kind, picked.name, picked.bytes);
    },
    'file:from-drop': async (r) => {
      checkSize(r.kind, r.name, r.bytes.byteLength);
      return files.register(r.kind, r.name, Buffer.from(r.bytes));
    },
    'cert:preview': async (r) => {
      const f = files.get(r.file, 'p12');
      return service.previewCertificate(f.bytes, r.password, f.name);
    },
    'cert:add': async (r) => {
      const f = files.get(r.file, 'p12');
      return service.addCertificate({ email: r.email, p12: f.bytes, password: r.password, fileName: f.name });
    },
    'cert:renew': async (r) => {
      const f = files.get(r.file, 'p12');
      return service.renewCertificate({ email: r.email, p12: f.bytes, password: r.password, fileName: f.name });
    },
    'cert:remove': async (r) => {
      await service.removeCertificate({ email: r.email, adminPassword: r.adminPassword });
      return null;
    },
    'cert:list': async () => service.listCertificates(),
    'composition:list': async () => service.listCompositions(),
    'composition:get': async (r) => service.getComposition(r.name),
    'composition:create': async (r) => service.createComposition(r.name),
    'composition:rename': async (r) => service.renameComposition(r.name, r.newName),
    'composition:delete': async (r) => {
      service.deleteComposition(r.name);
      return null;
    },
    'composition:set-cert': async (r) => service.setCertificateEnabled(r.name, r.email, r.enabled),
    'composition:set-bcc': async (r) => service.setIntelligentBcc(r.name, r.on),
    'exception:add-destination': async (r) => {
      service.addDestinationException(r.name, r.pattern, r.note);
      return service.getComposition(r.name);
    },
    'exception:add-header': async (r) => {
      service.addHeaderException(r.name, r.header, r.pattern);
      return service.getComposition(r.name);
    },
    'exception:update': async (r) => {
      service.updateException(r.name, r.id, { ...(r.pattern !== undefined ? { pattern: r.pattern } : {}), ...(r.header !== undefined ? { header: r.header } : {}) });
      return service.getComposition(r.name);
    },
    'exception:set-enabled': async (r) => {
      service.setExceptionEnabled(r.name, r.id, r.enabled);
      return service.getComposition(r.name);
    },
    'exception:remove': async (r) => {
      service.removeException(r.name, r.id);
      return service.getComposition(r.name);
    },
    'exception:test': async (r) => service.testDestinations(r.name, r.addresses, r.candidate),
    'pending:list': async (r) => service.pending(r.name),
    'reflect:export': async (r) => {
      const comp = service.getComposition(r.name);
      const path = await dialogs.savePath('bundle', `${comp.name.replace(/[^\w.-]+/g, '_')}.smime-bundle.json`);
      if (!path) return null;
      return service.reflect(r.name, r.passphrase, path, (step) => emit('reflect:progress', { name: comp.name, step }));
    },
    'bundle:import': async (r) => {
      const f = files.get(r.file, 'bundle');
      return service.importBundle(f.bytes, r.passphrase, f.name);
    },
    'test:send': async (r) => {
      const at = new Date(r.at);
      const s = r.source;
      if (s.kind === 'compose') {
        const message = composeMessage({ from: s.from, to: s.to, cc: s.cc, subject: s.subject, body: s.body, attachments: s.attachments, date: at });
        const recipients = [...s.to, ...s.cc, ...s.bcc].map((a) => a.trim()).filter(Boolean).map((address) => ({ address }));
        const copies = s.bccCopies.map((a) => a.trim()).filter(Boolean).map((address) => ({ address, bccCopy: true }));
        if (recipients.length + copies.length === 0) throw new SmimeError('MESSAGE_INVALID', 'the test message needs at least one recipient');
        return service.testSend(r.name, message, { mailFrom: s.from.trim(), recipients: [...recipients, ...copies] }, at);
      }
      const f = files.get(s.file, 'eml');
      const recipients = [...s.recipients.map((address) => ({ address })), ...s.bccCopies.map((address) => ({ address, bccCopy: true }))].filter((x) => x.address.trim());
      if (recipients.length === 0) throw new SmimeError('MESSAGE_INVALID', 'the test message needs at least one recipient');
      return service.testSend(r.name, f.bytes, { mailFrom: s.mailFrom, recipients }, at);
    },
    'test:save-eml': async (r) => {
      const path = await dialogs.savePath('eml', r.suggestedName.replace(/[^\w.@-]+/g, '_'));
      if (!path) return { saved: false, name: null };
      await dialogs.writeFile(path, Buffer.from(r.content, 'latin1'));
      return { saved: true, name: path.split(/[\\/]/).pop() ?? path };
    },
  };
}
