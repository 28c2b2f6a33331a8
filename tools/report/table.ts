// A table in Markdown's pipe form, columns padded to line up in a terminal too.

export interface Column {
  title: string;
  /** Numbers read best aligned to the right. */
  right?: boolean;
}

export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((column, index) =>
    Math.max(column.title.length, ...rows.map((row) => row[index]?.length ?? 0)),
  );
  const line = (cells: readonly string[]) =>
    `| ${columns
      .map((column, index) => {
        const cell = cells[index] ?? '';
        const width = widths[index] ?? 0;
        return column.right ? cell.padStart(width) : cell.padEnd(width);
      })
      .join(' | ')} |`;
  const rule = `|${columns
    .map((column, index) => {
      const dashes = '-'.repeat((widths[index] ?? 0) + 2);
      return column.right ? `${dashes.slice(1)}:` : dashes;
    })
    .join('|')}|`;
  return [line(columns.map((column) => column.title)), rule, ...rows.map(line)].join('\n');
}
