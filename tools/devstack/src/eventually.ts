/**
 * Polls `probe` until it returns true, failing after `timeoutMs`. Tests wait on observable state
 * this way (bounded), rather than sleeping for a guessed time.
 */
export async function eventually(
  probe: () => Promise<boolean>,
  timeoutMs = 15_000,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}
