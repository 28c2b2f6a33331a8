import test from 'ava';
import { renderTable } from '../../tools/report/table.ts';

test('columns line up, numbers to the right, in Markdown pipe form', (t) => {
  t.is(
    renderTable(
      [{ title: 'measure' }, { title: 'ms', right: true }],
      [
        ['cold start', '217'],
        ['warm', '5'],
      ],
    ),
    ['| measure    |  ms |', '|------------|----:|', '| cold start | 217 |', '| warm       |   5 |'].join('\n'),
  );
});
