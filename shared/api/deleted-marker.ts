import type { Store } from '../store/store';

/**
 * /status answers a reported send from the store, so /delete notes a deletion there. Its own
 * module so the delete bundle does not pull in the report schema.
 */
// As long as the report itself is kept (mass-report-store.ts).
const DELETED_TTL_MS = 90 * 24 * 60 * 60 * 1000;

export function deletedKey(msgId: string): string {
  return `mass:deleted:${msgId}`;
}

export function recordDeleted(store: Store, msgId: string): Promise<void> {
  return store.set(deletedKey(msgId), '1', DELETED_TTL_MS);
}
