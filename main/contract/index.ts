/**
 * The one contract between the rooms of smime-admin: IPC channels with their request schemas
 * and response types, the views the core returns, and every code with its words in English
 * and Japanese. main, preload and the renderer import it; the renderer imports nothing else
 * from main/.
 */
export * from './codes';
export * from './views';
export * from './channels';
export * from './messages';
