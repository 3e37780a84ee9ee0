/**
 * The baseline as its own process (so its memory is measured alone), configured by environment:
 * BASELINE_PORT, BASELINE_ITEMS_MONGO_URL, and optionally BASELINE_AUTH_MONGO_URL with
 * BASELINE_JWT_PUBLIC_KEY, JWT_ISSUER, JWT_AUDIENCE (for /api/auth/me) and
 * BASELINE_DISCOUNTS_MONGO_URL (for the quote). Ready when GET /healthz answers.
 */
import type { Baseline, BaselineConfig } from './server';
import { startBaseline } from './server';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

function configFromEnv(): BaselineConfig {
  const port = Number(required('BASELINE_PORT'));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('BASELINE_PORT must be a port');
  const authUrl = process.env.BASELINE_AUTH_MONGO_URL;
  const discountsUrl = process.env.BASELINE_DISCOUNTS_MONGO_URL;
  return {
    port,
    itemsUrl: required('BASELINE_ITEMS_MONGO_URL'),
    ...(authUrl
      ? {
          auth: {
            url: authUrl,
            publicKeyPem: required('BASELINE_JWT_PUBLIC_KEY'),
            issuer: required('JWT_ISSUER'),
            audience: required('JWT_AUDIENCE'),
          },
        }
      : {}),
    ...(discountsUrl ? { discountsUrl } : {}),
  };
}

let running: Baseline | undefined;
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void (running?.close() ?? Promise.resolve()).finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

startBaseline(configFromEnv()).then(
  (baseline) => {
    running = baseline;
    process.stdout.write(`${JSON.stringify({ msg: 'baseline listening', url: baseline.url })}\n`);
  },
  (error: unknown) => {
    process.stderr.write(`baseline: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
