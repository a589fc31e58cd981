/** Names the start:browser server and its page-side client must agree on (no Node, no DOM here). */

/** IPC calls are POSTs to this prefix plus the channel name. */
export const IPC_PREFIX = '/__ipc/';
/** The request header carrying the per-run token. */
export const TOKEN_HEADER = 'x-smime-token';
/** The meta tag in the served index.html that carries the per-run token. */
export const TOKEN_META = 'smime-bridge-token';
/** Where the page-side client is served; the script carries no secret. */
export const CLIENT_PATH = '/__bridge.js';
/**
 * Events from the server (the data folder changed, reflect progress) stream to the page as
 * newline-delimited JSON in the answer to a POST here: under the IPC prefix, so the same token
 * and origin checks apply.
 */
export const EVENTS_PATH = `${IPC_PREFIX}__events`;
