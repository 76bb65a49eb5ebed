// Names of the browser resources a namespace owns. Page, tag and worker must agree on them.

/** The IndexedDB database holding a namespace's events, weights and metadata. */
export function databaseName(namespace: string): string {
  return `localrank:${namespace}`;
}

/** The Web Lock that lets one tab at a time train a namespace's model. */
export function trainLockName(namespace: string): string {
  return `localrank:${namespace}:train`;
}

/** The BroadcastChannel over which a namespace's tabs announce new weights and events. */
export function channelName(namespace: string): string {
  return `localrank:${namespace}`;
}
