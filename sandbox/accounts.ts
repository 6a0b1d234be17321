/**
 * The seeded demo: one service account (服务号) and one subscription account (订阅号), each
 * with followers, tags, WeChat IDs for preview and permanent media, so a newcomer can send
 * right away. Everything is deterministic: the same OpenIDs and media ids on every start.
 */
export type AccountType = 'service' | 'subscription';

export interface TagSeed {
  id: number;
  name: string;
  members: string[];
}

/** Permanent material that exists before any upload (media ids are per account in WeChat). */
export interface MediaSeed {
  image: string;
  thumb: string;
  voice: string;
  video: string;
  /** An mpnews media id (as returned by uploadnews) with two articles. */
  news: string;
  /** An mpvideo media id (as returned by uploadvideo). */
  mpvideo: string;
}

export interface AccountSeed {
  appid: string;
  secret: string;
  type: AccountType;
  name: string;
  /** The original id (原始ID) that appears as ToUserName in pushes. */
  ghId: string;
  followers: string[];
  tags: TagSeed[];
  /** WeChat ID (微信号, `towxname` in preview) → OpenID. */
  wxnames: Record<string, string>;
  media: MediaSeed;
  cardIds: string[];
}

export interface SandboxSeed {
  accounts: AccountSeed[];
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

/** mulberry32: a tiny deterministic generator, good enough for ids. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function randomId(random: () => number, length: number): string {
  let id = '';
  for (let i = 0; i < length; i += 1) id += ID_ALPHABET[Math.floor(random() * ID_ALPHABET.length)];
  return id;
}

// An OpenID is 28 characters: "o" followed by 27 of [A-Za-z0-9_-].
function makeOpenIds(random: () => number, count: number): string[] {
  return Array.from({ length: count }, () => `o${randomId(random, 27)}`);
}

function makeMedia(random: () => number): MediaSeed {
  return {
    image: randomId(random, 64),
    thumb: randomId(random, 64),
    voice: randomId(random, 64),
    video: randomId(random, 64),
    news: randomId(random, 64),
    mpvideo: randomId(random, 64),
  };
}

function makeAccount(
  seed: number,
  fields: Pick<AccountSeed, 'appid' | 'secret' | 'type' | 'name' | 'ghId'>,
  followerCount: number,
): AccountSeed {
  const random = createRandom(seed);
  const followers = makeOpenIds(random, followerCount);
  const at = (i: number): string => followers[i] ?? '';
  return {
    ...fields,
    followers,
    tags: [
      { id: 100, name: 'vip', members: followers.slice(0, 10) },
      { id: 101, name: 'beta', members: followers.slice(5, 20) },
    ],
    wxnames: { sandbox_alice: at(0), sandbox_bob: at(1) },
    media: makeMedia(random),
    cardIds: [`p${randomId(random, 27)}`],
  };
}

const service = makeAccount(
  0x5e7c1ce,
  {
    appid: 'wx5a9dbox0service1',
    secret: 'sandbox-service-secret-0123456789ab',
    type: 'service',
    name: 'Sandbox Service Account',
    ghId: 'gh_5a9db0c5e7c1',
  },
  50,
);

const subscription = makeAccount(
  0x5b5c21,
  {
    appid: 'wx5a9dbox0subscri2',
    secret: 'sandbox-subscri-secret-fedcba987654',
    type: 'subscription',
    name: 'Sandbox Subscription Account',
    ghId: 'gh_5a9db05b5c21',
  },
  30,
);

export const DEMO_ACCOUNTS: Readonly<{ service: AccountSeed; subscription: AccountSeed }> = {
  service,
  subscription,
};

export const DEMO_MEDIA: Readonly<{ service: MediaSeed; subscription: MediaSeed }> = {
  service: service.media,
  subscription: subscription.media,
};

export const DEMO_SEED: SandboxSeed = { accounts: [service, subscription] };

/** Copies a seed so a sandbox run can add media and never changes the exported constants. */
export function cloneSeed(seed: SandboxSeed): SandboxSeed {
  return structuredClone(seed);
}
