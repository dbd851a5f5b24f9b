/** A cell a spreadsheet would run as a formula (=, +, -, @, tab, return) is written as text, with a leading apostrophe. */
const FORMULA_START = /^[=+\-@\t\r]/;

const cell = (value: string | number | null) => {
  if (value === null) return '';
  const text = typeof value === 'number' ? String(value) : FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** RFC 4180 CSV with a byte order mark, so spreadsheet programs read the Chinese as UTF-8. */
export const toCsv = (header: readonly string[], rows: readonly (readonly (string | number | null)[])[]) =>
  `\uFEFF${[header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n')}\r\n`;

/** Hands the browser a file to save, made here: nothing leaves for another server. */
export const download = (fileName: string, content: string, type: string) => {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  URL.revokeObjectURL(url);
};
