import { MongoServerError } from 'mongodb';
import { dropDatabase, eventually, testDatabaseUrl } from '@platform/devstack';
import { createLogger, Database, isDatabaseUnavailable, isDuplicateKeyError } from '../src';

describe('isDuplicateKeyError', () => {
  it('recognises MongoDB duplicate keys and FerretDB unique-constraint failures on update', () => {
    expect(
      isDuplicateKeyError(new MongoServerError({ code: 11000, errmsg: 'E11000 duplicate key error' })),
    ).toBe(true);
    expect(
      isDuplicateKeyError(
        new MongoServerError({
          code: 1,
          errmsg: "constraint failed: UNIQUE constraint failed: index 'x_k_1' (2067)",
        }),
      ),
    ).toBe(true);
  });

  it('does not mistake other errors for duplicates', () => {
    expect(isDuplicateKeyError(new MongoServerError({ code: 1, errmsg: 'something else broke' }))).toBe(
      false,
    );
    expect(isDuplicateKeyError(new Error('UNIQUE constraint failed'))).toBe(false);
    expect(isDuplicateKeyError(undefined)).toBe(false);
  });
});

describe('isDatabaseUnavailable', () => {
  it.each([
    ['MongoNetworkError', true],
    ['MongoServerSelectionError', true],
    ['MongoNotConnectedError', true],
    ['MongoClientClosedError', true],
    ['TypeError', false],
  ])('%s -> %s', (name, expected) => {
    const error = new Error('x');
    error.name = name;
    expect(isDatabaseUnavailable(error)).toBe(expected);
  });

  it('recognises mongoose refusing to run before the first connection', () => {
    const error = new Error(
      'Cannot call `items.find()` before initial connection is complete if `bufferCommands = false`.',
    );
    error.name = 'MongooseError';
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it('recognises a socket error the driver passes on unwrapped', () => {
    const epipe = Object.assign(new Error('This socket has been ended by the other party'), {
      code: 'EPIPE',
    });
    expect(isDatabaseUnavailable(epipe)).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('no such file'), { code: 'ENOENT' }))).toBe(false);
  });

  it('recognises a server that is shutting down', () => {
    const mongod = new MongoServerError({ code: 11600, errmsg: 'interrupted at shutdown' });
    const ferretdb = new MongoServerError({
      code: 1,
      errmsg:
        '[msg_insert.go:168 handler.(*Handler).MsgInsert] [db.go:134 fsql.(*DB).InTransaction] context canceled',
    });
    expect(isDatabaseUnavailable(mongod)).toBe(true);
    expect(isDatabaseUnavailable(ferretdb)).toBe(true);
    expect(isDatabaseUnavailable(new MongoServerError({ code: 1, errmsg: 'something else broke' }))).toBe(
      false,
    );
  });
});

describe('Database', () => {
  it('replaces a client whose server monitor has wedged', async () => {
    const url = testDatabaseUrl('kit_watchdog');
    const lines: string[] = [];
    const logger = createLogger({
      service: 'kit',
      level: 'info',
      destination: { write: (line) => lines.push(line) },
    });
    const database = new Database({ url, logger, operationTimeoutMs: 500 });
    try {
      database.start();
      await database.whenReady();
      const wedged = database.connection.getClient();
      // How a heartbeat stuck on a dead socket looks from outside: started, and never finished.
      wedged.emit('serverHeartbeatStarted', { connectionId: '127.0.0.1:1' } as never);

      await eventually(async () => Promise.resolve(database.connection.getClient() !== wedged), 20_000);
      await eventually(
        () =>
          database.check().then(
            () => true,
            () => false,
          ),
        10_000,
      );
      expect(lines.some((line) => line.includes('the database client stopped monitoring the server'))).toBe(
        true,
      );
    } finally {
      await database.close();
      await dropDatabase(url);
    }
  });
});
