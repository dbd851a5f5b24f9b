import { createColumnHelper, createSortedRowModel, rowSortingFeature, sortFn_basic, tableFeatures, useTable, type RowData } from '@tanstack/react-table';
import { useMemo, type ReactNode } from 'react';
import { useI18n } from '../i18n/I18n';

const features = tableFeatures({ rowSortingFeature, sortedRowModel: createSortedRowModel(), sortFns: { basic: sortFn_basic } });

export type Column<Row> = {
  id: string;
  header: string;
  /** What the column sorts by. */
  value: (row: Row) => string | number | null;
  /** What the cell shows; the value as text when left out. */
  cell?: (row: Row) => ReactNode;
};

type Props<Row extends RowData> = {
  caption: string;
  rows: readonly Row[];
  columns: readonly Column<Row>[];
  rowKey: (row: Row) => string;
  /** Makes the first cell of each row a button that selects it. */
  onSelect?: (row: Row) => void;
  selectedKey?: string | null;
};

/** A table whose columns sort by a click or Enter on their header; every cell is text or what the page renders, never HTML. */
export const DataTable = <Row extends RowData>({ caption, rows, columns, rowKey, onSelect, selectedKey }: Props<Row>) => {
  const { t } = useI18n();
  const columnDefs = useMemo(() => {
    const helper = createColumnHelper<typeof features, Row>();
    return helper.columns(
      columns.map((column) =>
        helper.accessor((row) => column.value(row), { id: column.id, header: column.header, sortFn: 'basic', sortUndefined: 'last', sortDescFirst: false }),
      ),
    );
  }, [columns]);
  const data = useMemo(() => [...rows], [rows]);
  const table = useTable({ features, columns: columnDefs, data, getRowId: (row) => rowKey(row) });
  const byId = useMemo(() => new Map(columns.map((column) => [column.id, column])), [columns]);

  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const sorted = header.column.getIsSorted();
                const label = byId.get(header.column.id)?.header ?? header.column.id;
                return (
                  <th key={header.id} scope="col" aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}>
                    <button type="button" className="sort" onClick={header.column.getToggleSortingHandler()} title={t('common.sortBy', { column: label })}>
                      {label}
                      <span aria-hidden="true">{sorted === 'asc' ? ' ▲' : sorted === 'desc' ? ' ▼' : ''}</span>
                    </button>
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((row) => (
            <tr key={row.id} className={row.id === selectedKey ? 'selected' : undefined} aria-selected={onSelect ? row.id === selectedKey : undefined}>
              {row.getAllCells().map((cell, index) => {
                const column = byId.get(cell.column.id)!;
                const content = column.cell ? column.cell(row.original) : String(column.value(row.original) ?? '');
                return (
                  <td key={cell.id}>
                    {index === 0 && onSelect ? (
                      <button type="button" className="link" onClick={() => onSelect(row.original)}>
                        {content}
                      </button>
                    ) : (
                      content
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 && <p className="muted">{t('common.empty')}</p>}
    </div>
  );
};
