/**
 * Prints, at the end of a cross-engine run, the table of engines.ts filled in: each test in each
 * engine passed, failed, or was not run there and why. Nothing is skipped silently.
 */
import type { FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter';
import { TESTS } from './engines';

const MARK: Record<string, string> = { passed: 'passed', failed: 'FAILED', timedOut: 'TIMED OUT', interrupted: 'interrupted', skipped: 'not run' };

export default class EngineTable implements Reporter {
  private readonly outcomes = new Map<string, Map<string, { status: string; why?: string }>>();
  private readonly engines = new Set<string>();
  private readonly versions = new Map<string, string>();

  onTestEnd(test: TestCase, result: TestResult): void {
    const engine = test.parent.project()?.name ?? '?';
    this.engines.add(engine);
    const why = test.annotations.find((a) => a.type === 'skip')?.description;
    const byEngine = this.outcomes.get(test.title) ?? new Map();
    byEngine.set(engine, { status: result.status, why });
    this.outcomes.set(test.title, byEngine);
    const version = result.attachments.find((a) => a.name === 'engine version')?.body?.toString();
    if (version) this.versions.set(engine, version);
  }

  onEnd(result: FullResult): void {
    const engines = [...this.engines];
    const lines = ['', `Cross-engine tests (tests/engines/engines.ts), run: ${result.status}`];
    if (this.versions.size) lines.push(engines.map((e) => `${e}: ${this.versions.get(e) ?? 'version not reported'}`).join('; '));
    lines.push(`| test | ${engines.join(' | ')} |`, `|---|${engines.map(() => '---').join('|')}|`);
    const reasons: string[] = [];
    for (const title of Object.keys(TESTS)) {
      const byEngine = this.outcomes.get(title);
      const cells = engines.map((e) => {
        const o = byEngine?.get(e);
        if (!o) return 'not in this run';
        if (o.status === 'skipped' && o.why) reasons.push(`  ${e}, "${title}": ${o.why}`);
        return MARK[o.status] ?? o.status;
      });
      lines.push(`| ${title} | ${cells.join(' | ')} |`);
    }
    if (reasons.length) lines.push('Not run, and why:', ...reasons);
    console.log(lines.join('\n'));
  }

  printsToStdio(): boolean {
    return false;
  }
}
