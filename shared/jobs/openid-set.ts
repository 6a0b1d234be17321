/**
 * An exact set of short ASCII strings (OpenIDs) in insertion order, kept compact: the characters
 * in one growing Buffer, the start of each in a Uint32Array, and an open-addressed table of
 * indexes. A JavaScript Set of 1,000,000 OpenIDs costs about 90 MB of heap (a string object and
 * a hash entry each); this holds them in about 45 MB, which is what lets a job of a million
 * OpenIDs be deduplicated inside a 128 MB function. Strings must be ASCII and at most 255 long
 * (OpenIDs are validated as [A-Za-z0-9_-]{6,64} before they get here).
 */
export class OpenIdSet {
  private bytes: Buffer;
  private used = 0;
  private starts: Uint32Array;
  private lengths: Uint8Array;
  private table: Int32Array;
  private count = 0;

  /**
   * `expected`: how many strings of about `averageLength` will be added. Sized for them up front,
   * the set never holds an old and a doubled copy of its arrays at once.
   */
  constructor(expected = 1_024, averageLength = 28) {
    const slots = Math.max(1_024, expected);
    this.bytes = Buffer.allocUnsafe(slots * averageLength);
    this.starts = new Uint32Array(slots);
    this.lengths = new Uint8Array(slots);
    this.table = new Int32Array(2 ** Math.ceil(Math.log2(slots * 2 + 1))).fill(-1);
  }

  get size(): number {
    return this.count;
  }

  /** True when `value` was not in the set yet. */
  add(value: string): boolean {
    const hash = hashOf(value);
    const mask = this.table.length - 1;
    let slot = hash & mask;
    for (let index = this.table[slot]!; index !== -1; index = this.table[slot]!) {
      if (this.equals(index, value)) return false;
      slot = (slot + 1) & mask;
    }
    this.store(value);
    this.table[slot] = this.count - 1;
    if (this.count * 2 > this.table.length) this.rehash();
    return true;
  }

  /** The distinct values, in the order they were first added. */
  *values(): IterableIterator<string> {
    for (let i = 0; i < this.count; i++) yield this.at(i);
  }

  at(index: number): string {
    const start = this.starts[index]!;
    return this.bytes.toString('latin1', start, start + this.lengths[index]!);
  }

  private equals(index: number, value: string): boolean {
    if (this.lengths[index] !== value.length) return false;
    const start = this.starts[index]!;
    for (let i = 0; i < value.length; i++) if (this.bytes[start + i] !== value.charCodeAt(i)) return false;
    return true;
  }

  private store(value: string): void {
    if (value.length > 255) throw new RangeError('OpenIdSet holds strings of at most 255 characters');
    if (this.used + value.length > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.used + value.length));
      this.bytes.copy(grown, 0, 0, this.used);
      this.bytes = grown;
    }
    if (this.count === this.starts.length) {
      const starts = new Uint32Array(this.starts.length * 2);
      starts.set(this.starts);
      this.starts = starts;
      const lengths = new Uint8Array(this.lengths.length * 2);
      lengths.set(this.lengths);
      this.lengths = lengths;
    }
    this.bytes.write(value, this.used, 'latin1');
    this.starts[this.count] = this.used;
    this.lengths[this.count] = value.length;
    this.used += value.length;
    this.count += 1;
  }

  private rehash(): void {
    const table = new Int32Array(this.table.length * 2).fill(-1);
    const mask = table.length - 1;
    for (let index = 0; index < this.count; index++) {
      let slot = hashOf(this.at(index)) & mask;
      while (table[slot] !== -1) slot = (slot + 1) & mask;
      table[slot] = index;
    }
    this.table = table;
  }
}

// FNV-1a, 32 bits: fast on short strings and well spread for OpenIDs' random characters.
function hashOf(value: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    hash ^= value.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
