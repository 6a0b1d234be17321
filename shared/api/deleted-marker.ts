import type { Store } from '../store/store';

/**
 * /status answers a reported send from the store, so /delete notes a deletion there. Its own
 * module so the delete bundle does not pull in the report schema.
 */
// As long as the report itself is kept (mass-report-store.ts).
const DELETED_TTL_MS = 90 * 24 * 60 * 60 * 1000;

// Per AppID, as the reports are: several Official Accounts may share one Redis.
export function deletedKey(appId: string, msgId: string): string {
  return `mass:deleted:${appId}:${msgId}`;
}

export function recordDeleted(store: Store, appId: string, msgId: string): Promise<void> {
  return store.set(deletedKey(appId, msgId), '1', DELETED_TTL_MS);
}
