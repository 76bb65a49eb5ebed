/**
 * The script tag's list part (`dist/localrank-lists.js`): what reorders marked lists (lists.ts,
 * reorder.ts) and applies the shop's rules (rules-markup.ts and the engine's rules). The tag
 * `import()`s it when the page has a marked list, or when an answer needs the rules without the
 * engine, so that the file on every page stays small.
 */
export { Lists } from './lists';
export { serverOrder } from './server-order';
