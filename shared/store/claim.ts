import type { Store } from './store';

/**
 * A claim is a key written with SET NX whose value is a random owner, unique to the claimer.
 * When SET NX answers false, the owner is read back: ioredis re-sends a command whose reply was
 * lost with the connection (its `autoResendUnfulfilledCommands` defaults to true), and the
 * re-sent SET NX then finds the key that its own first copy wrote. Without the read-back a
 * claimer would take its own claim for another's. A claim is given back with
 * `store.compareAndDelete(key, owner)`, so that a claimer whose lease ran out never deletes the
 * claim of whoever took the key after it.
 */
export type ClaimAttempt = { ours: true } | { ours: false; holder: string | null };

/**
 * Takes `key` for `owner` for `ttlMs`, or tells what holds it. `holder` is null when the key
 * was freed again between the SET NX and the read-back, twice in a row.
 */
export async function takeClaim(store: Store, key: string, owner: string, ttlMs: number): Promise<ClaimAttempt> {
  for (let round = 0; round < 2; round++) {
    // The read-back goes with the SET NX, in one round trip: a store applies one caller's calls
    // in order, so it reads what the SET NX (or its re-sent copy) left.
    const [taken, holder] = await Promise.all([store.setIfAbsent(key, owner, ttlMs), store.get(key)]);
    if (taken || holder === owner) return { ours: true };
    if (holder !== null) return { ours: false, holder };
  }
  return { ours: false, holder: null };
}
