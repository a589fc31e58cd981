/**
 * The main process's IPC handlers: thin calls into the admin core. No electron import:
 * dialogs, events and the clock are injected, so the same handlers serve the Electron
 * app, the browser bridge and the tests.
 */
import type { PreviewDelivery, ReflectProgress } from '../contract';
import type { ServiceApi } from '../core/domain/remote';
import type { TestDelivery } from '../core/domain/service';
import { composeMessage } from '../core/engine/compose';
import { decodeForReading } from '../core/engine/mime/decode';
import { buildEnvelope } from '../core/relay/pipeline';
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
  /** Shows a folder dialog (publish folder, reflect all); null when cancelled. */
  chooseFolder(purpose: 'publish' | 'bundles'): Promise<string | null>;
  /** Writes a file the user chose in savePath. */
  writeFile(path: string, data: Buffer): Promise<void>;
}

export interface HandlerDeps {
  /** the admin service: in a worker thread in the app, in process for the browser bridge and tests */
  service: ServiceApi;
  dialogs: Dialogs;
  files?: FileRegistry;
  emit?: <E extends EventName>(event: E, payload: EventTypes[E]) => void;
  version?: string;
  platform?: string;
  systemLanguage?: () => 'en' | 'ja';
  /** false where `dialogs.openFile` cannot show a dialog (the browser bridge); true by default */
  nativeDialogs?: boolean;
}

export type Handlers = { [C in Channel]: (req: Request<C>) => Promise<Response<C>> };

const LIMITS: Record<FileKind, number> = { p12: MAX_P12_BYTES, eml: MAX_MESSAGE_BYTES, bundle: MAX_BUNDLE_BYTES };

function checkSize(kind: FileKind, name: string, size: number): void {
  if (size > LIMITS[kind])
    throw new SmimeError('FILE_TOO_LARGE', `${name} is larger than ${Math.round(LIMITS[kind] / 1024)} KiB`);
}

/** A delivery for the preview: its bytes stay in main under a token; the renderer gets text to read. */
function previewDelivery(d: TestDelivery, outputs: FileRegistry): PreviewDelivery {
  const bytes = Buffer.concat(d.message);
  const { file } = outputs.register('eml', `${d.action}-${d.recipients[0] ?? 'message'}.eml`, bytes);
  return {
    id: file,
    action: d.action,
    recipients: d.recipients,
    certificate: d.action === 'sign' ? d.certificate : null,
    source: bytes.toString('utf8'),
    decoded: decodeForReading(bytes),
    size: bytes.length,
    verification: d.verification,
    warnings: d.warnings,
  };
}

export function createHandlers(deps: HandlerDeps): Handlers {
  const { service, dialogs } = deps;
  const files = deps.files ?? new FileRegistry();
  const outputs = new FileRegistry();
  const emit = deps.emit ?? (() => undefined);
  return {
    'app:bootstrap': async () => ({
      adminPasswordSet: await service.isAdminPasswordSet(),
      settings: await service.getSettings(),
      version: deps.version ?? '0.0.0',
      platform: deps.platform ?? process.platform,
      systemLanguage: deps.systemLanguage?.() ?? 'en',
      attention: await service.certificatesNeedingAttention(),
      nativeDialogs: deps.nativeDialogs ?? true,
    }),
    'settings:update': async (r) =>
      await service.updateSettings({
        ...(r.warnDays ? { warnDays: r.warnDays } : {}),
        ...(r.language !== undefined ? { language: r.language } : {}),
      }),
    'admin:set-password': async (r) => {
      await service.setAdminPassword(r.newPassword, r.currentPassword);
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
    'cert:list': async () => await service.listCertificates(),
    'cert:detail': async (r) => await service.certificateDetail(r.email),
    'composition:list': async () => await service.listCompositions(),
    'composition:get': async (r) => await service.getComposition(r.name),
    'composition:create': async (r) => await service.createComposition(r.name),
    'composition:rename': async (r) => await service.renameComposition(r.name, r.newName),
    'composition:delete': async (r) => {
      await service.deleteComposition(r.name);
      return null;
    },
    'composition:set-cert': async (r) => await service.setCertificateEnabled(r.name, r.email, r.enabled),
    'composition:set-bcc': async (r) => await service.setIntelligentBcc(r.name, r.on),
    'exception:add-destination': async (r) => {
      await service.addDestinationException(r.name, r.pattern, r.note);
      return service.getComposition(r.name);
    },
    'exception:add-header': async (r) => {
      await service.addHeaderException(r.name, r.header, r.pattern, r.note);
      return service.getComposition(r.name);
    },
    'exception:update': async (r) => {
      await service.updateException(r.name, r.id, {
        ...(r.pattern !== undefined ? { pattern: r.pattern } : {}),
        ...(r.header !== undefined ? { header: r.header } : {}),
        ...(r.note !== undefined ? { note: r.note } : {}),
      });
      return service.getComposition(r.name);
    },
    'exception:set-enabled': async (r) => {
      await service.setExceptionEnabled(r.name, r.id, r.enabled);
      return service.getComposition(r.name);
    },
    'exception:remove': async (r) => {
      await service.removeException(r.name, r.id);
      return service.getComposition(r.name);
    },
    'exception:restore-defaults': async (r) => await service.restoreDefaultExceptions(r.name),
    'exception:test': async (r) => await service.testDestinations(r.name, r.addresses, r.candidate),
    'pending:list': async (r) => await service.pending(r.name),
    'reflect:review': async (r) => service.reviewReflection(r.name, r.reexportOf),
    'reflect:export': async (r) => {
      const review = await service.reviewReflection(r.name);
      // with a publish folder the bundle goes there (under its unique name); else the admin says where
      let path: string | null = null;
      if (!review.publishDir) {
        path = await dialogs.savePath('bundle', review.suggestedFileName);
        if (!path) return null;
      }
      const progress = (step: ReflectProgress) => emit('reflect:progress', { name: review.composition.name, step });
      const opts = { confirm: r.confirm ?? [], ...(r.reexportOf !== undefined ? { reexportOf: r.reexportOf } : {}) };
      return service.reflect(r.name, r.passphrase, path, progress, opts);
    },
    'reflect:all': async (r) => {
      const needsFolder = (await service.listCompositions()).some((c) => c.pending && !c.publishDir);
      let dir: string | null = null;
      if (needsFolder) {
        dir = await dialogs.chooseFolder('bundles');
        if (!dir) return null;
      }
      return service.reflectAll(r.passphrase, dir, { confirm: r.confirmAll ? 'all' : [] });
    },
    'reflect:history': async (r) => service.history(r.name),
    'bundle:preview': async (r) => {
      const f = files.get(r.file, 'bundle');
      return service.previewImport(f.bytes, r.passphrase, f.name);
    },
    'bundle:import': async (r) => {
      const f = files.get(r.file, 'bundle');
      return service.importBundle(f.bytes, r.passphrase, f.name, {
        discardPending: r.discardPending === true,
        allowOlder: r.allowOlder === true,
      });
    },
    'composition:set-publish': async (r) => {
      if (!r.choose) return service.setPublishDir(r.name, null);
      const dir = await dialogs.chooseFolder('publish');
      return dir ? service.setPublishDir(r.name, dir) : service.getComposition(r.name);
    },
    'composition:set-servers': async (r) => service.setServers(r.name, r.servers),
    'servers:status': async (r) => service.serversStatus(r.name),
    'audit:list': async (r) =>
      service.auditLog({
        ...(r.since ? { since: new Date(r.since) } : {}),
        ...(r.action ? { action: r.action } : {}),
        ...(r.target ? { target: r.target } : {}),
        ...(r.limit ? { limit: r.limit } : {}),
      }),
    'audit:verify': async () => service.auditVerify(),
    'test:send': async (r) => {
      const at = new Date(r.at);
      const s = r.source;
      let message: Buffer;
      let envelope;
      if (s.kind === 'compose') {
        const { from, to, cc, subject, body, attachments } = s;
        message = composeMessage({ from, to, cc, subject, body, attachments, date: at });
        envelope = buildEnvelope(from, [...to, ...cc, ...s.bcc], s.bccCopies);
      } else {
        message = files.get(s.file, 'eml').bytes;
        envelope = buildEnvelope(s.mailFrom, s.recipients, s.bccCopies);
      }
      const result = await service.testSend(r.name, message, envelope, at);
      outputs.clear();
      return { decisions: result.decisions, deliveries: result.deliveries.map((d) => previewDelivery(d, outputs)) };
    },
    'test:save-eml': async (r) => {
      const held = outputs.get(r.delivery, 'eml');
      const path = await dialogs.savePath('eml', r.suggestedName.replace(/[^\w.@-]+/g, '_'));
      if (!path) return { saved: false, name: null };
      await dialogs.writeFile(path, held.bytes);
      return { saved: true, name: path.split(/[\\/]/).pop() ?? path };
    },
  };
}
