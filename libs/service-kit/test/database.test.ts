import { MongoServerError } from 'mongodb';
import { isDatabaseUnavailable, isDuplicateKeyError } from '../src';

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
});
