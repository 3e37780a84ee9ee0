import type { z } from 'zod';
import { bindHost, ConfigError, loadConfig, parseDuration, serviceEnvSchema } from '../src';

const valid = { PORT: '3001', MANAGEMENT_PORT: '9101', MONGO_URL: 'mongodb://127.0.0.1:27017/auth' };

function problemsOf(env: Record<string, string | undefined>, schema: z.ZodType = serviceEnvSchema): string {
  try {
    loadConfig(schema, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('parses a valid environment and applies defaults', () => {
    const config = loadConfig(serviceEnvSchema, valid);
    expect(config).toMatchObject({
      PORT: 3001,
      MANAGEMENT_PORT: 9101,
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT: 10_000,
      SHUTDOWN_DELAY: 0,
    });
  });

  it('names a missing variable as required', () => {
    const { PORT: _omitted, ...rest } = valid;
    expect(problemsOf(rest)).toBe('invalid configuration: PORT is required');
  });

  it('treats an empty variable as missing', () => {
    expect(problemsOf({ ...valid, MONGO_URL: '' })).toBe('invalid configuration: MONGO_URL is required');
  });

  it('reports every bad variable on one line', () => {
    const message = problemsOf({
      ...valid,
      PORT: 'eighty',
      MANAGEMENT_PORT: '70000',
      MONGO_URL: 'postgres://x',
    });
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toContain('PORT must be a whole number between 0 and 65535');
    expect(message).toContain('MANAGEMENT_PORT must be a whole number between 0 and 65535');
    expect(message).toContain('MONGO_URL must be a mongodb:// or mongodb+srv:// connection string');
  });

  it('rejects unknown enum values and bad durations with the variable name', () => {
    expect(problemsOf({ ...valid, LOG_LEVEL: 'loud' })).toMatch(/^invalid configuration: LOG_LEVEL /);
    expect(problemsOf({ ...valid, SHUTDOWN_TIMEOUT: 'soon' })).toContain(
      'SHUTDOWN_TIMEOUT must be a positive duration such as 30s, 15m or 7d (got "soon")',
    );
  });

  it('binds loopback outside production and all interfaces in production, unless HOST says otherwise', () => {
    expect(bindHost(loadConfig(serviceEnvSchema, valid))).toBe('127.0.0.1');
    expect(bindHost(loadConfig(serviceEnvSchema, { ...valid, NODE_ENV: 'production' }))).toBe('0.0.0.0');
    expect(bindHost(loadConfig(serviceEnvSchema, { ...valid, HOST: '::1' }))).toBe('::1');
  });
});

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['15m', 900_000],
    ['12h', 43_200_000],
    ['7d', 604_800_000],
    ['90', 90_000],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '1w', '-5s', '1.5h', 'ten'])('rejects %j', (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );
});
