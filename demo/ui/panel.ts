/**
 * The side panel: what the engine is doing, how fast, what it stored, what moved a product, and what
 * left the device. It writes what it is given; each shop keeps its own state (panel-feed.ts), and the
 * shop on screen feeds it.
 */
import type { ReadyInfo, TrainReport } from '../../src/shared/types';
import { scorerLine, type ScorerState } from '../contributions';
import type { NetworkWatch } from '../network-watch';
import { LossChart } from './loss-chart';
import { byId } from './dom';
import { formatBytes, formatMs } from './format';
import { renderFocus, type FocusView } from './why-card';

const NO_TRAINING = 'No training yet. It starts after a few interactions.';

/** Facts stay on one line (so the panel never shifts); the full text is in the tooltip. */
function setFact(id: string, text: string, detail = text): void {
  const node = byId(id);
  node.textContent = text;
  node.title = detail;
}

function shortUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.origin === location.origin ? parsed.pathname : `${parsed.host}${parsed.pathname}`;
  } catch {
    return url;
  }
}

export class Panel {
  readonly chart = new LossChart(byId('loss-chart'));

  bindNetwork(watch: NetworkWatch): void {
    const bytes = byId<HTMLOutputElement>('bytes-sent');
    const chip = byId('bytes-chip');
    const chipCount = byId('bytes-chip-count');
    const requests = byId('sent-requests');
    const summary = byId('download-summary');
    const list = byId('download-list');
    let shown = 0;
    const update = () => {
      bytes.value = watch.sentBytes.toLocaleString('en');
      bytes.closest('.privacy')?.classList.toggle('leak', watch.sent.length > 0);
      chip.classList.toggle('leak', watch.sent.length > 0);
      chipCount.textContent = bytes.value;
      requests.textContent = watch.sent.length
        ? `${watch.sent.length} request${watch.sent.length === 1 ? '' : 's'} carried data (${watch.sent.map((r) => `${r.via} ${shortUrl(r.url)}`).join(', ')})`
        : 'no request has carried data';
      summary.textContent = `${watch.downloads.length} files, ${formatBytes(watch.downloadedBytes)}`;
      for (const record of watch.downloads.slice(shown)) {
        const item = document.createElement('li');
        const name = document.createElement('span');
        name.textContent = shortUrl(record.url);
        name.title = record.url;
        const size = document.createElement('span');
        size.textContent = record.bytes ? formatBytes(record.bytes) : 'cached';
        item.append(name, size);
        list.append(item);
      }
      shown = watch.downloads.length;
    };
    watch.subscribe(update);
    update();
  }

  setInfo(info: ReadyInfo): void {
    const { gpu } = info;
    setFact('engine-backend', info.backend);
    setFact(
      'engine-gpu',
      gpu.adapter === 'none' ? 'No WebGPU adapter' : `WebGPU, ${gpu.adapter}`,
      gpu.description ? `${gpu.adapter} adapter: ${gpu.description}` : undefined,
    );
    setFact('engine-model', info.modelVersion);
    setFact('engine-storage', info.storage === 'indexeddb' ? 'IndexedDB, here only' : 'Memory (not kept)');
    setFact('engine-namespace', info.namespace, `This shop's events are stored under the namespace "${info.namespace}", apart from the other shop's`);
    byId('engine-reason').textContent = `Why this backend: ${info.backendReason}`;
    this.setEvents(info.events);
    document.body.dataset.backend = info.backend;
  }

  /** The pretrained scorer's state; an empty line (its room kept) when the engine does not report it. */
  setScorer(state: ScorerState | null): void {
    const line = byId('scorer-status');
    line.textContent = state ? scorerLine(state) : '';
    if (state) line.dataset.state = state;
    else delete line.dataset.state;
  }

  setFocus(view: FocusView | null): void {
    renderFocus(view);
  }

  setEvents(count: number): void {
    byId('events-stored').textContent = count.toLocaleString('en');
  }

  setUnavailable(message: string): void {
    setFact('engine-backend', 'unavailable');
    byId('engine-reason').textContent = message;
  }

  /** `medianMs`: the page's round trip to the worker; `workerMs`: time spent scoring inside it, last rerank. */
  setLatency(medianMs: number, workerMs: number): void {
    setFact('latency-worker', formatMs(workerMs));
    setFact('latency-round-trip', `${formatMs(medianMs)} median`, 'From the page to the worker and back, median of the last 50 reranks');
  }

  addTraining(report: TrainReport): void {
    this.chart.add(report);
    const why = report.reason.replace(/^(kept|rejected|discarded|skipped)\b:?\s*/i, '');
    byId('training-summary').textContent =
      `${this.chart.count} run${this.chart.count === 1 ? '' : 's'}. Last: ${report.steps} steps on ${report.examples} examples in ` +
      `${formatMs(report.durationMs)} (${report.backend}), loss ${report.lossBefore.toFixed(3)} → ${report.lossAfter.toFixed(3)}; ` +
      `${report.kept ? 'kept' : 'discarded'}${why ? `: ${why}` : ''}.`;
  }

  clearTraining(): void {
    this.chart.clear();
    byId('training-summary').textContent = NO_TRAINING;
  }

  /** Blank, before another shop fills it in. The network counter is the page's, and stays. */
  reset(): void {
    for (const id of ['engine-backend', 'engine-gpu', 'engine-model', 'engine-storage', 'engine-namespace', 'events-stored', 'latency-worker', 'latency-round-trip']) {
      setFact(id, '–');
    }
    byId('engine-reason').textContent = '';
    this.setScorer(null);
    this.setFocus(null);
    this.clearTraining();
  }
}
