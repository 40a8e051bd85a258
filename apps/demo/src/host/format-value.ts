/** Shows a value on one line, JSON where it can, shortened to `maxLength` characters. */
export function formatValue(value: unknown, maxLength = 90): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}
