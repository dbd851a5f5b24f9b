import { describe, expect, it } from 'vitest';
import { toCsv } from '../../console/src/csv';

describe('CSV export', () => {
  it('starts with a byte order mark and quotes what needs quoting, RFC 4180 style', () => {
    expect(toCsv(['期间', 'value'], [['2026-03', 3], ['say "hi", then\nleave', null]])).toBe('\uFEFF期间,value\r\n2026-03,3\r\n"say ""hi"", then\nleave",\r\n');
  });

  it('writes text a spreadsheet would run as a formula as text, and leaves numbers be', () => {
    expect(toCsv(['a'], [['=HYPERLINK("x")'], ['+1'], ['@SUM(A1)'], [-3]])).toBe('\uFEFFa\r\n"\'=HYPERLINK(""x"")"\r\n\'+1\r\n\'@SUM(A1)\r\n-3\r\n');
  });
});
