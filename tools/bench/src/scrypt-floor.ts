/** How fast this machine computes auth's password hash with nothing else around: login's ceiling. */
import { randomBytes, scrypt } from 'node:crypto';

const KEY_LENGTH = 64;

function hashOnce(params: { N: number; r: number; p: number }, salt: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    // maxmem as auth sets it: scrypt needs 128 * N * r bytes, Node's default cap is lower.
    scrypt(
      'a benchmark password',
      salt,
      KEY_LENGTH,
      { ...params, maxmem: 256 * params.N * params.r },
      (error) => (error ? reject(error) : resolve()),
    );
  });
}

/** Hashes `concurrency` at a time for about `seconds`; returns the rate. */
export async function scryptRate(
  params: { N: number; r: number; p: number },
  concurrency: number,
  seconds: number,
  signal?: AbortSignal,
): Promise<{ hashesPerSecond: number; concurrency: number; seconds: number }> {
  const salt = randomBytes(16);
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let hashes = 0;
  const worker = async () => {
    while (performance.now() < deadline && !signal?.aborted) {
      await hashOnce(params, salt);
      hashes++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  signal?.throwIfAborted();
  const elapsed = (performance.now() - started) / 1000;
  return { hashesPerSecond: hashes / elapsed, concurrency, seconds: elapsed };
}
