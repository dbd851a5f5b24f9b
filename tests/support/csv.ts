/**
 * Reads an export back as a spreadsheet would: RFC 4180 (fields quoted when they hold a comma,
 * a quote or a line break, quotes doubled inside), lines ending in CRLF, after the byte order mark.
 * The tests read with it what the exports wrote, so it is written apart from the writer.
 */
export const parseCsv = (text: string): string[][] => {
  if (!text.startsWith('\uFEFF')) throw new Error('a CSV export starts with a byte order mark');
  return csvRows(text.slice(1));
};

/** Whole lines of CSV, each ending in CRLF, as rows of fields: the body of an export, or a part of it cut at a line's end. */
export const csvRows = (text: string): string[][] => {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || row.length > 0) throw new Error('the last line of a CSV export ends with CRLF');
  return rows;
};

/** The rows of an export as records keyed by its header. */
export const csvRecords = (text: string): Record<string, string>[] => {
  const [header, ...rows] = parseCsv(text);
  return rows.map((row) => Object.fromEntries(header!.map((column, i) => [column, row[i]!])));
};
