/**
 * One shop's share of the side panel. Each shop runs its own engine, so each keeps what the panel
 * shows of it (engine facts, latency, training runs, the product in focus) and writes it to the
 * panel only while it is the shop on screen; switching shops replays the other shop's state.
 */
import type { ReadyInfo, TrainReport } from '../../src/shared/types';
import type { ScorerState } from '../contributions';
import type { Panel } from './panel';
import type { FocusView } from './why-card';

const LATENCY_WINDOW = 50;

export class PanelFeed {
  private info: ReadyInfo | null = null;
  private unavailable: string | null = null;
  private scorer: ScorerState | null = null;
  private readonly latencies: number[] = [];
  private workerMs: number | null = null;
  private readonly trainings: TrainReport[] = [];
  private focus: FocusView | null = null;
  private active = false;

  constructor(private readonly panel: Panel) {}

  /** This shop is on screen now: the panel shows its state. */
  attach(): void {
    this.active = true;
    const { panel } = this;
    panel.reset();
    if (this.info) panel.setInfo(this.info);
    if (this.unavailable !== null) panel.setUnavailable(this.unavailable);
    panel.setScorer(this.scorer);
    this.showLatency();
    for (const report of this.trainings) panel.addTraining(report);
    panel.setFocus(this.focus);
  }

  detach(): void {
    this.active = false;
  }

  setInfo(info: ReadyInfo, scorer: ScorerState | null): void {
    this.info = info;
    this.unavailable = null;
    this.scorer = scorer;
    if (this.active) {
      this.panel.setInfo(info);
      this.panel.setScorer(scorer);
    }
    if (info.lastTraining) this.addTraining(info.lastTraining);
  }

  setUnavailable(message: string): void {
    this.unavailable = message;
    if (this.active) this.panel.setUnavailable(message);
  }

  addLatency(pageMs: number, workerMs: number): void {
    this.latencies.push(pageMs);
    if (this.latencies.length > LATENCY_WINDOW) this.latencies.shift();
    this.workerMs = workerMs;
    if (this.active) this.showLatency();
  }

  addTraining(report: TrainReport): void {
    if (this.trainings.some((run) => run.at === report.at)) return;
    this.trainings.push(report);
    if (this.active) this.panel.addTraining(report);
  }

  clearTraining(): void {
    this.trainings.length = 0;
    if (this.active) this.panel.clearTraining();
  }

  setFocus(view: FocusView | null): void {
    this.focus = view;
    if (this.active) this.panel.setFocus(view);
  }

  private showLatency(): void {
    if (this.workerMs === null || this.latencies.length === 0) return;
    const sorted = [...this.latencies].sort((a, b) => a - b);
    this.panel.setLatency(sorted[Math.floor(sorted.length / 2)], this.workerMs);
  }
}
