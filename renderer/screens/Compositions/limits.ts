/**
 * The longest exception pattern main accepts (PATTERN_MAX in main/contract/channels.ts; the renderer
 * may import only types from there, and a test keeps the two equal). The field says so as the admin types.
 */
export const PATTERN_MAX = 1000;
