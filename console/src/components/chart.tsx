import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatNumber, formatTime } from '../api/client';
import { timeAxisLabels } from '../format';

export interface ChartSeries {
  label: string;
  values: number[];
  color: string;
  dash?: number[];
}

/** A time-series chart (uPlot, canvas); the page beside it carries the same figures as a table. */
/** `range`: the x axis from and to (seconds), so a few buckets show where they are in the chosen range. */
export function Chart({
  title,
  times,
  series,
  height = 260,
  range,
}: {
  title: string;
  times: number[];
  series: ChartSeries[];
  height?: number;
  range?: [number, number];
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const plot = new uPlot(
      {
        width: el.clientWidth,
        height,
        series: [
          // The value the legend shows for the hovered bucket: a time as every other time in the console.
          { value: (_u: uPlot, seconds: number | null) => (seconds === null ? '—' : formatTime(seconds * 1000)) },
          ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, dash: s.dash, points: { show: times.length < 60 } })),
        ],
        axes: [{ values: (_u, splits, _axis, _space, increment) => timeAxisLabels(splits, increment) }, { size: 60 }],
        scales: { x: { time: true, ...(range ? { range: () => range } : {}) } },
      },
      [times, ...series.map((s) => s.values)],
      el,
    );
    // The box's own width: wider, a phone's screen would cut the chart's right side off.
    const resize = () => plot.setSize({ width: el.clientWidth, height });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [times, series, height, range]);
  return (
    <figure
      class="chart"
      role="img"
      aria-label={`${title}: ${series
        .map(
          (s) =>
            `${s.label} ${formatNumber(
              s.values.reduce((a, b) => a + b, 0),
              { maximumFractionDigits: 6 },
            )}`,
        )
        .join(', ')}`}
      ref={box}
    />
  );
}
