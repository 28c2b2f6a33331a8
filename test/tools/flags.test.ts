// The whole-number flags of load, diagnose and deploy: one reading, one message.
import test from 'ava';
import { FlagValueError, parseWholeNumberFlag } from '../../tools/cli/flags.ts';

const accepted: [string, { min?: number; unit?: string }, number][] = [
  ['1', {}, 1],
  ['20', {}, 20],
  ['0', { min: 0 }, 0],
  ['300', { unit: 'seconds' }, 300],
];
for (const [raw, options, value] of accepted) {
  test(`${raw} with ${JSON.stringify(options)} reads as ${value}`, (t) => {
    t.is(parseWholeNumberFlag('n', raw, options), value);
  });
}

const refused: [string, { min?: number; unit?: string }, string][] = [
  ['many', {}, '--n is "many": expected a whole number from 1'],
  ['0', {}, '--n is "0": expected a whole number from 1'],
  ['-1', { min: 0 }, '--n is "-1": expected a whole number from 0'],
  ['1.5', {}, '--n is "1.5": expected a whole number from 1'],
  ['1e3', {}, '--n is "1e3": expected a whole number from 1'],
  ['', {}, '--n is "": expected a whole number from 1'],
  ['soon', { unit: 'seconds' }, '--n is "soon": expected a whole number of seconds'],
  ['0', { unit: 'seconds' }, '--n is "0": expected a whole number of seconds'],
];
for (const [raw, options, message] of refused) {
  test(`${JSON.stringify(raw)} with ${JSON.stringify(options)} is refused, naming the flag`, (t) => {
    t.throws(() => parseWholeNumberFlag('n', raw, options), { instanceOf: FlagValueError, message });
  });
}
