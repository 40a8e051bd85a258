import { formatTable, type TableColumn } from './format-table';

/** Where the demo writes: headed, timed steps with indented lines and tables under them. */
export interface DemoOutput {
  /** Prints a step heading such as `== 2. Search the marketplace`. */
  heading(title: string): void;
  /** Prints one line under the current heading. */
  line(text?: string): void;
  /** Prints a table under the current heading. */
  table(columns: readonly TableColumn[], rows: readonly (readonly string[])[]): void;
}

/** Creates a {@link DemoOutput} that writes lines through `write` (by default standard output). */
export function createDemoOutput(
  write: (text: string) => void = (text) => process.stdout.write(text),
): DemoOutput {
  const indent = (text: string): string =>
    text
      .split('\n')
      .map((part) => (part.length > 0 ? `   ${part}` : part))
      .join('\n');
  return {
    heading(title) {
      write(`\n== ${title}\n`);
    },
    line(text = '') {
      write(`${indent(text)}\n`);
    },
    table(columns, rows) {
      write(`${indent(formatTable(columns, rows))}\n`);
    },
  };
}
