import test from 'ava';
import { ConfigError, readHttpUrl, readInteger, readPort } from '../../functions/backend/src/lib/env.ts';

test('readInteger answers the fallback when unset or blank', (t) => {
  t.is(readInteger({}, 'N', 7), 7);
  t.is(readInteger({ N: '' }, 'N', 7), 7);
  t.is(readInteger({ N: '  ' }, 'N', 7), 7);
});

const integers: [string, { min?: number; max?: number }, number | string][] = [
  ['0', {}, 0],
  ['42', {}, 42],
  [' 42 ', {}, 42],
  ['10', { min: 10, max: 10 }, 10],
  ['9', { min: 10 }, 'N is "9": expected a whole number from 10 to 9007199254740991'],
  ['11', { max: 10 }, 'N is "11": expected a whole number from 0 to 10'],
  ['-1', {}, 'N is "-1"'],
  ['1e3', {}, 'N is "1e3"'],
  ['0x10', {}, 'N is "0x10"'],
  ['12abc', {}, 'N is "12abc"'],
  ['99999999999999999999', {}, 'N is "99999999999999999999"'],
];

for (const [raw, bounds, expected] of integers) {
  test(`readInteger(${JSON.stringify(raw)}, ${JSON.stringify(bounds)})`, (t) => {
    if (typeof expected === 'number') {
      t.is(readInteger({ N: raw }, 'N', 1, bounds), expected);
    } else {
      const error = t.throws(() => readInteger({ N: raw }, 'N', 1, bounds), { instanceOf: ConfigError });
      t.true(error?.message.startsWith(expected), error?.message);
      t.is(error?.variable, 'N');
      t.is(error?.value, raw);
    }
  });
}

test('readHttpUrl takes http and https URLs only', (t) => {
  t.is(readHttpUrl({ U: 'https://example.test/x' }, 'U').href, 'https://example.test/x');
  t.is(readHttpUrl({ U: ' http://a:1 ' }, 'U').href, 'http://a:1/');
  for (const raw of [undefined, '', 'a:1', 'file:///etc/passwd', '//host', 'http//x']) {
    t.throws(() => readHttpUrl({ U: raw }, 'U'), { instanceOf: ConfigError, message: /^U (is|is not set)/ });
  }
});

test('readPort reads FUNC_PORT, as faas-js-runtime does', (t) => {
  t.is(readPort({}, 8080), 8080);
  t.is(readPort({ FUNC_PORT: '8081' }, 8080), 8081);
  t.throws(() => readPort({ FUNC_PORT: '70000' }, 8080), { message: /^FUNC_PORT is "70000"/ });
});
