/** A small uPlot chart of the training loss, one point per on-device training run. */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { TrainReport } from '../../src/shared/types';

export class LossChart {
  private plot: uPlot | null = null;
  private readonly runs: TrainReport[] = [];
  private readonly resize = new ResizeObserver(() => this.fit());

  constructor(private readonly container: HTMLElement) {
    this.resize.observe(container);
  }

  get count(): number {
    return this.runs.length;
  }

  add(report: TrainReport): void {
    if (this.runs.some((run) => run.at === report.at)) return;
    this.runs.push(report);
    this.runs.sort((a, b) => a.at - b.at);
    this.draw();
  }

  clear(): void {
    this.runs.length = 0;
    this.plot?.destroy();
    this.plot = null;
    this.describe();
  }

  private data(): uPlot.AlignedData {
    return [
      this.runs.map((_, index) => index + 1),
      this.runs.map((run) => run.lossBefore),
      this.runs.map((run) => run.lossAfter),
    ];
  }

  private draw(): void {
    this.describe();
    if (this.plot) {
      this.plot.setData(this.data());
      return;
    }
    const styles = getComputedStyle(this.container);
    const accent = styles.getPropertyValue('--accent').trim() || '#4338ca';
    const muted = styles.getPropertyValue('--muted').trim() || '#6b7280';
    const axis = { stroke: muted, grid: { stroke: 'rgba(0,0,0,0.06)' }, ticks: { show: false }, font: '11px system-ui, sans-serif' };
    this.plot = new uPlot(
      {
        ...this.size(),
        legend: { show: true, live: false },
        cursor: { show: false },
        scales: { x: { time: false, range: (_u, _min, max) => [1, Math.max(5, max)] } },
        axes: [
          { ...axis, label: 'run', labelSize: 14, labelFont: '11px system-ui, sans-serif', incrs: [1, 2, 5, 10, 20, 50] },
          { ...axis, size: 40, values: (_u, values) => values.map((v) => v.toFixed(2)) },
        ],
        series: [
          {},
          { label: 'loss before', stroke: muted, dash: [4, 4], width: 1.5, points: { size: 4 } },
          { label: 'loss after', stroke: accent, width: 2, points: { size: 5, fill: accent } },
        ],
      },
      this.data(),
      this.container,
    );
  }

  private describe(): void {
    const last = this.runs.at(-1);
    this.container.setAttribute(
      'aria-label',
      last
        ? `Training loss over ${this.runs.length} run${this.runs.length === 1 ? '' : 's'}; last run ${last.lossBefore.toFixed(3)} before, ${last.lossAfter.toFixed(3)} after`
        : 'Training loss per run: no runs yet',
    );
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(200, this.container.clientWidth), height: 130 };
  }

  private fit(): void {
    this.plot?.setSize(this.size());
  }
}
