/** Deterministic randomness, so every bench run seeds the same data. */

/** mulberry32: small, fast, good enough to shape test data. Returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Ranks 0…n−1 drawn with probability ∝ 1/(rank+1)^s: the shape of real tag popularity,
 * where a handful of tags (news, ainews) are everywhere and most are rare.
 */
export class ZipfSampler {
  private readonly cumulative: Float64Array;

  constructor(
    readonly size: number,
    private readonly random: () => number,
    exponent = 1,
  ) {
    this.cumulative = new Float64Array(size);
    let total = 0;
    for (let rank = 0; rank < size; rank++) {
      total += 1 / (rank + 1) ** exponent;
      this.cumulative[rank] = total;
    }
    for (let rank = 0; rank < size; rank++) this.cumulative[rank] /= total;
  }

  next(): number {
    const r = this.random();
    let low = 0;
    let high = this.size - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.cumulative[mid] < r) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** `count` distinct ranks. */
  distinct(count: number): number[] {
    const picked = new Set<number>();
    while (picked.size < Math.min(count, this.size)) picked.add(this.next());
    return [...picked];
  }
}

export function integerBetween(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}
