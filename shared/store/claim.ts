import type { ConditionalClaim, ReadAndClaimed, Store } from './store';

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
export function takeClaim(store: Store, key: string, owner: string, ttlMs: number): Promise<ClaimAttempt> {
  // A free key, the usual case, settles without an async frame of its own (a callback takes a
  // claim per push); a taken one is read back.
  return store.setIfAbsent(key, owner, ttlMs).then((taken) => (taken ? OURS : readBack(store, key, owner, ttlMs)));
}

const OURS: ClaimAttempt = Object.freeze({ ours: true });

/** The rest of takeClaim after a SET NX that answered false: the read-back, and one more round. */
async function readBack(store: Store, key: string, owner: string, ttlMs: number): Promise<ClaimAttempt> {
  for (let round = 0; round < 2; round++) {
    if (round > 0 && (await store.setIfAbsent(key, owner, ttlMs))) return OURS;
    const holder = await store.get(key);
    if (holder === owner) return OURS;
    if (holder !== null) return { ours: false, holder };
  }
  return { ours: false, holder: null };
}

/**
 * takeClaim in one round trip, which also reads `alsoRead` as they are right after the SET NX:
 * the read-back travels with the SET NX (a store applies one caller's calls in order), so it
 * costs a read even when the SET NX succeeds. For a claim every round trip of which is waited
 * for: the access-token refresh lock, which a stampede of cold containers waits on.
 */
export async function takeClaimReading(
  store: Store,
  key: string,
  owner: string,
  ttlMs: number,
  alsoRead: readonly string[],
): Promise<{ claim: ClaimAttempt; read: (string | null)[] }> {
  let read: (string | null)[] = [];
  for (let round = 0; round < 2; round++) {
    const [taken, [holder = null, ...rest]] = await Promise.all([
      store.setIfAbsent(key, owner, ttlMs),
      store.getMany([key, ...alsoRead]),
    ]);
    read = rest;
    if (taken || holder === owner) return { claim: { ours: true }, read };
    if (holder !== null) return { claim: { ours: false, holder }, read };
  }
  return { claim: { ours: false, holder: null }, read };
}

/**
 * Store.getManyAndClaim for an adapter that cannot look and claim at one moment (the file store):
 * the claim after a look at `unlessPresent`, then the values and the holder read after it, so a
 * token or a failure written in between shows in `values`.
 */
export async function getManyAndClaimInSteps(
  store: Pick<Store, 'getMany' | 'setIfAbsent'>,
  keys: readonly string[],
  claim: ConditionalClaim,
): Promise<ReadAndClaimed> {
  const present = await store.getMany(claim.unlessPresent);
  if (present.every((value) => value === null)) await store.setIfAbsent(claim.key, claim.owner, claim.ttlMs);
  const [holder = null, ...values] = await store.getMany([claim.key, ...keys]);
  return { values, holder };
}
