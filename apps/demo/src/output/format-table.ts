/** One column of a text table: its heading and how to align its cells. */
export interface TableColumn {
  heading: string;
  align?: 'left' | 'right';
}

/**
 * Lays rows out as a fixed-width text table with a heading row and a rule under it.
 *
 * @example
 * formatTable([{ heading: 'id' }, { heading: 'version' }], [['com.example.hello', '1.0.0']]);
 */
export function formatTable(columns: readonly TableColumn[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((column, index) =>
    Math.max(column.heading.length, ...rows.map((row) => (row[index] ?? '').length)),
  );
  const formatRow = (cells: readonly string[]): string =>
    columns
      .map((column, index) => {
        const cell = cells[index] ?? '';
        const width = widths[index] ?? 0;
        return column.align === 'right' ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  const heading = formatRow(columns.map((column) => column.heading));
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [heading, rule, ...rows.map(formatRow)].join('\n');
}
