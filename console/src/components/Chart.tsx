import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';
import { useI18n } from '../i18n/I18n';

// Only the parts drawn here, so the bundle carries no other chart type.
echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export type Series = { name: string; values: readonly (number | null)[] };

type Props = {
  /** What the chart shows, said to a screen reader; the same figures stand in the table below it. */
  label: string;
  kind: 'bar' | 'line';
  categories: readonly string[];
  series: readonly Series[];
  valueLabel?: (value: number) => string;
  /** Counts: the axis marks whole numbers only. */
  integers?: boolean;
  height?: number;
};

const PALETTE = ['#1d4ed8', '#b45309', '#047857', '#9333ea', '#be123c', '#0e7490', '#4d7c0f', '#6b7280'];

/**
 * A chart drawn on a canvas: text inside it is painted, never parsed as HTML, and its tooltip is
 * painted too (richText), so no markup is built from the data and no inline style is needed.
 */
export const Chart = ({ label, kind, categories, series, valueLabel, integers = false, height = 260 }: Props) => {
  const { t } = useI18n();
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    const target = element.current!;
    const instance = echarts.init(target, null, { renderer: 'canvas' });
    chart.current = instance;
    const resize = new ResizeObserver(() => instance.resize());
    resize.observe(target);
    return () => {
      resize.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(
      {
        animation: false,
        color: PALETTE,
        textStyle: { fontFamily: 'system-ui, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif' },
        tooltip: { trigger: 'axis', renderMode: 'richText', ...(valueLabel ? { valueFormatter: (value: unknown) => (typeof value === 'number' ? valueLabel(value) : '') } : {}) },
        legend: { show: series.length > 1, top: 0 },
        grid: { left: 8, right: 16, top: series.length > 1 ? 36 : 16, bottom: 8, containLabel: true },
        xAxis: { type: 'category', data: [...categories], axisLabel: { hideOverlap: true } },
        yAxis: { type: 'value', ...(integers ? { minInterval: 1 } : {}), ...(valueLabel ? { axisLabel: { formatter: (value: number) => valueLabel(value) } } : {}) },
        series: series.map((s) => ({ name: s.name, type: kind, data: [...s.values], connectNulls: true, barMaxWidth: 48 })),
      },
      true,
    );
  }, [kind, categories, series, valueLabel, integers]);

  return (
    <figure className="chart">
      <div ref={element} role="img" aria-label={label} className="chart-canvas" style={{ height }} />
      <details>
        <summary>{t('common.showTable')}</summary>
        <table>
          <caption className="visually-hidden">{label}</caption>
          <thead>
            <tr>
              <th scope="col">{label}</th>
              {series.map((s) => (
                <th key={s.name} scope="col">
                  {s.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {categories.map((category, index) => (
              <tr key={category}>
                <th scope="row">{category}</th>
                {series.map((s) => {
                  const value = s.values[index];
                  return <td key={s.name}>{value === null || value === undefined ? '' : valueLabel ? valueLabel(value) : value}</td>;
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
};
