/**
 * The one IPC contract between the renderer (through the preload) and main: every
 * channel with its request schema (checked at runtime in main) and its response type.
 * Responses travel as { ok: true, value } | { ok: false, error: { code, message } } so
 * error codes survive IPC. No response carries a password, a private key or p12 bytes.
 */
import { z } from 'zod';
import type { ErrorCode } from './codes';
import type {
  AuditCheckView,
  AuditEntryView,
  CertificateDetail,
  CompositionServers,
  HistoryEntry,
  ImportPreview,
  ReflectReview,
  CertificateInfo,
  CertificateView,
  CompositionView,
  ImportResult,
  PendingView,
  ReflectProgress,
  ReflectResult,
  Settings,
  TesterMatch,
  TestSendResult,
} from './views';

const name = z.string().min(1).max(64);
const email = z.string().min(3).max(254);
const secret = z.string().max(1024);
const token = z.string().regex(/^[0-9a-f]{32}$/);
/** The longest exception pattern a request may carry (the renderer says so while the admin types). */
export const PATTERN_MAX = 1000;
const pattern = z.string().min(1).max(PATTERN_MAX);
const exceptionId = z.number().int().min(0).max(1_000_000);
const addressList = z.array(z.string().max(320)).max(1000);
const bytes = z.instanceof(Uint8Array);

export const FILE_KINDS = ['p12', 'eml', 'bundle'] as const;
export type FileKind = (typeof FILE_KINDS)[number];

export const requestSchemas = {
  'app:bootstrap': z.object({}).strict(),
  'settings:update': z
    .object({
      warnDays: z.array(z.number().int().min(1).max(365)).min(1).max(3).optional(),
      language: z.enum(['en', 'ja']).nullable().optional(),
    })
    .strict(),
  'admin:set-password': z.object({ newPassword: secret, currentPassword: secret.optional() }).strict(),
  'file:open': z.object({ kind: z.enum(FILE_KINDS) }).strict(),
  'file:from-drop': z.object({ kind: z.enum(FILE_KINDS), name: z.string().min(1).max(255), bytes }).strict(),
  'cert:preview': z.object({ file: token, password: secret }).strict(),
  'cert:add': z.object({ email, file: token, password: secret }).strict(),
  'cert:renew': z.object({ email, file: token, password: secret }).strict(),
  'cert:remove': z.object({ email, adminPassword: secret }).strict(),
  'cert:list': z.object({}).strict(),
  'cert:detail': z.object({ email }).strict(),
  'composition:list': z.object({}).strict(),
  'composition:get': z.object({ name }).strict(),
  'composition:create': z.object({ name }).strict(),
  'composition:rename': z.object({ name, newName: name }).strict(),
  'composition:delete': z.object({ name }).strict(),
  'composition:set-cert': z.object({ name, email, enabled: z.boolean() }).strict(),
  'composition:set-bcc': z.object({ name, on: z.boolean() }).strict(),
  'exception:add-destination': z.object({ name, pattern, note: z.string().max(200).optional() }).strict(),
  'exception:add-header': z
    .object({ name, header: z.string().min(1).max(76), pattern, note: z.string().max(200).optional() })
    .strict(),
  'exception:update': z
    .object({
      name,
      id: exceptionId,
      pattern: pattern.optional(),
      header: z.string().min(1).max(76).optional(),
      note: z.string().max(200).optional(),
    })
    .strict(),
  'exception:set-enabled': z.object({ name, id: exceptionId, enabled: z.boolean() }).strict(),
  'exception:remove': z.object({ name, id: exceptionId }).strict(),
  'exception:restore-defaults': z.object({ name }).strict(),
  'exception:test': z.object({ name, addresses: addressList, candidate: pattern.optional() }).strict(),
  'pending:list': z.object({ name: name.optional() }).strict(),
  'reflect:review': z.object({ name, reexportOf: z.number().int().min(1).max(1_000_000).optional() }).strict(),
  'reflect:export': z
    .object({
      name,
      passphrase: secret,
      confirm: z.array(z.string().max(300)).max(1000).optional(),
      reexportOf: z.number().int().min(1).max(1_000_000).optional(),
    })
    .strict(),
  'reflect:all': z.object({ passphrase: secret, confirmAll: z.boolean() }).strict(),
  'reflect:history': z.object({ name }).strict(),
  'bundle:preview': z.object({ file: token, passphrase: secret }).strict(),
  'bundle:import': z
    .object({
      file: token,
      passphrase: secret,
      discardPending: z.boolean().optional(),
      allowOlder: z.boolean().optional(),
    })
    .strict(),
  'composition:set-publish': z.object({ name, choose: z.boolean() }).strict(),
  'composition:set-servers': z.object({ name, servers: z.array(z.string().min(1).max(300)).max(50) }).strict(),
  'servers:status': z.object({ name: name.optional() }).strict(),
  'audit:list': z
    .object({
      since: z.string().datetime({ offset: true }).optional(),
      action: z.string().max(64).optional(),
      target: z.string().max(254).optional(),
      limit: z.number().int().min(1).max(10_000).optional(),
    })
    .strict(),
  'audit:verify': z.object({}).strict(),
  'test:send': z
    .object({
      name,
      at: z.string().datetime({ offset: true }),
      source: z.discriminatedUnion('kind', [
        z
          .object({
            kind: z.literal('compose'),
            from: z.string().min(1).max(320),
            to: addressList,
            cc: addressList,
            bcc: addressList,
            bccCopies: addressList,
            subject: z.string().max(998),
            body: z.string().max(10 * 1024 * 1024),
            attachments: z
              .array(z.object({ name: z.string().min(1).max(255), type: z.string().max(127), bytes }))
              .max(20),
          })
          .strict(),
        z
          .object({
            kind: z.literal('eml'),
            file: token,
            mailFrom: z.string().max(320),
            recipients: addressList,
            bccCopies: addressList,
          })
          .strict(),
      ]),
    })
    .strict(),
  'test:save-eml': z.object({ delivery: token, suggestedName: z.string().min(1).max(100) }).strict(),
} as const;

export type Channel = keyof typeof requestSchemas;
export const CHANNELS = Object.keys(requestSchemas) as Channel[];

export type Request<C extends Channel> = z.input<(typeof requestSchemas)[C]>;

export interface Bootstrap {
  adminPasswordSet: boolean;
  settings: Settings;
  version: string;
  platform: string;
  systemLanguage: 'en' | 'ja';
  attention: CertificateView[];
  /** false where main cannot show a native open dialog (the browser bridge): the page picks files itself */
  nativeDialogs: boolean;
}

export interface PickedFile {
  file: string;
  name: string;
  size: number;
}

export interface ResponseTypes {
  'app:bootstrap': Bootstrap;
  'settings:update': Settings;
  'admin:set-password': null;
  'file:open': PickedFile | null;
  'file:from-drop': PickedFile;
  'cert:preview': CertificateInfo;
  'cert:add': CertificateView;
  'cert:renew': CertificateView;
  'cert:remove': null;
  'cert:list': CertificateView[];
  'cert:detail': CertificateDetail;
  'composition:list': CompositionView[];
  'composition:get': CompositionView;
  'composition:create': CompositionView;
  'composition:rename': CompositionView;
  'composition:delete': null;
  'composition:set-cert': CompositionView;
  'composition:set-bcc': CompositionView;
  'exception:add-destination': CompositionView;
  'exception:add-header': CompositionView;
  'exception:update': CompositionView;
  'exception:set-enabled': CompositionView;
  'exception:remove': CompositionView;
  'exception:restore-defaults': CompositionView;
  'exception:test': TesterMatch[];
  'pending:list': PendingView[];
  'reflect:review': ReflectReview;
  'reflect:export': ReflectResult | null;
  'reflect:all': ReflectResult[] | null;
  'reflect:history': HistoryEntry[];
  'bundle:preview': ImportPreview;
  'bundle:import': ImportResult;
  'composition:set-publish': CompositionView;
  'composition:set-servers': CompositionView;
  'servers:status': CompositionServers[];
  'audit:list': AuditEntryView[];
  'audit:verify': AuditCheckView;
  'test:send': TestSendResult;
  'test:save-eml': { saved: boolean; name: string | null };
}

export type Response<C extends Channel> = ResponseTypes[C];

/** What is wrong with one field of a request, as a code the renderer words in its language. */
/** `too-short`/`too-long`: text, in characters; `too-few`/`too-many`: a list, in entries; `too-small`/`too-large`: a number. */
export type FieldIssue =
  'required' | 'too-short' | 'too-long' | 'too-few' | 'too-many' | 'too-small' | 'too-large' | 'invalid';

export interface IpcError {
  code: ErrorCode;
  message: string;
  /**
   * For a request refused by its schema (IPC_INVALID): the field at fault, as its path in the
   * request ("source.from", "source.to.2"), so the renderer can say so next to that field.
   */
  field?: { path: string; issue: FieldIssue; limit?: number };
}

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: IpcError };

/** Events main sends to the renderer. */
export interface EventTypes {
  'reflect:progress': { name: string; step: ReflectProgress };
  'menu:command': {
    command:
      'go-certificates' | 'go-compositions' | 'go-reflect' | 'go-test' | 'go-audit' | 'go-settings' | 'add-certificate';
  };
  'certificates:attention': CertificateView[];
  /**
   * the data folder changed. `elsewhere` (the CLI, another admin session): read it again. `window`:
   * one of the window's own requests, whose lists already follow from its answer; what they do not
   * show (the pending reflections, the audit log) is read again
   */
  'state:changed': { at: string; by: 'window' | 'elsewhere' };
}
export type EventName = keyof EventTypes;
export const EVENTS: EventName[] = ['reflect:progress', 'menu:command', 'certificates:attention', 'state:changed'];

/** Largest request main accepts, by channel (bytes of strings and binary data). */
export const MAX_REQUEST_BYTES: Partial<Record<Channel, number>> & { default: number } = {
  default: 256 * 1024,
  'file:from-drop': 64 * 1024 * 1024,
  'test:send': 64 * 1024 * 1024,
};
