/**
 * The Park–Miller generator: seeded, so a simulation or a worker process replays the same outcomes for the same
 * seed (and plain arithmetic, no bit operations). Good enough to decide which calls fail; not for cryptography.
 */
export function seededRandom(seed: number): () => number {
  const modulus = 2_147_483_647;
  let state = (Math.abs(Math.floor(seed)) % (modulus - 1)) + 1;
  return () => {
    state = (state * 48_271) % modulus;
    return (state - 1) / (modulus - 1);
  };
}
