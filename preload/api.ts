/**
 * The API the renderer sees as window.smime: one method per contract channel, one
 * subscription per event. No ipcRenderer, no Node, no way to name an arbitrary channel.
 * Built from two functions so the Electron preload and the browser test bridge share it.
 */
import type { Channel, Envelope, EventName, EventTypes, Request, Response } from '../main/contract/channels';

export const METHOD_NAMES = {
  'app:bootstrap': 'bootstrap',
  'settings:update': 'updateSettings',
  'admin:set-password': 'setAdminPassword',
  'file:open': 'openFile',
  'file:from-drop': 'fileFromDrop',
  'cert:preview': 'previewCertificate',
  'cert:add': 'addCertificate',
  'cert:renew': 'renewCertificate',
  'cert:remove': 'removeCertificate',
  'cert:list': 'listCertificates',
  'cert:detail': 'certificateDetail',
  'composition:list': 'listCompositions',
  'composition:get': 'getComposition',
  'composition:create': 'createComposition',
  'composition:rename': 'renameComposition',
  'composition:delete': 'deleteComposition',
  'composition:set-cert': 'setCompositionCertificate',
  'composition:set-bcc': 'setIntelligentBcc',
  'exception:add-destination': 'addDestinationException',
  'exception:add-header': 'addHeaderException',
  'exception:update': 'updateException',
  'exception:set-enabled': 'setExceptionEnabled',
  'exception:remove': 'removeException',
  'exception:restore-defaults': 'restoreDefaultExceptions',
  'exception:test': 'testDestinations',
  'pending:list': 'listPending',
  'reflect:review': 'reviewReflection',
  'reflect:export': 'reflect',
  'reflect:all': 'reflectAll',
  'reflect:history': 'reflectionHistory',
  'bundle:preview': 'previewImport',
  'bundle:import': 'importBundle',
  'composition:set-publish': 'setPublishFolder',
  'composition:set-servers': 'setServers',
  'servers:status': 'serversStatus',
  'audit:list': 'auditLog',
  'audit:verify': 'verifyAuditLog',
  'test:send': 'testSend',
  'test:save-eml': 'saveEml',
} as const satisfies Record<Channel, string>;

export const EVENT_METHODS = {
  'reflect:progress': 'onReflectProgress',
  'menu:command': 'onMenuCommand',
  'certificates:attention': 'onCertificatesAttention',
  'state:changed': 'onStateChanged',
} as const satisfies Record<EventName, string>;

export type Invoke = (channel: Channel, request: unknown) => Promise<unknown>;
export type Subscribe = (event: EventName, listener: (payload: unknown) => void) => () => void;

export type SmimeApi = {
  readonly [C in Channel as (typeof METHOD_NAMES)[C]]: (request: Request<C>) => Promise<Envelope<Response<C>>>;
} & {
  readonly [E in EventName as (typeof EVENT_METHODS)[E]]: (listener: (payload: EventTypes[E]) => void) => () => void;
};

export function createApi(invoke: Invoke, subscribe: Subscribe): SmimeApi {
  const api: Record<string, unknown> = {};
  for (const [channel, method] of Object.entries(METHOD_NAMES)) {
    api[method] = (request: unknown) => invoke(channel as Channel, request ?? {});
  }
  for (const [event, method] of Object.entries(EVENT_METHODS)) {
    api[method] = (listener: (payload: unknown) => void) => subscribe(event as EventName, (p) => listener(p));
  }
  return Object.freeze(api) as SmimeApi;
}
