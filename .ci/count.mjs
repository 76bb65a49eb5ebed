// Sums the vitest and Playwright JSON reports (unit, browser, engines) into one closing line: "N passed, N failed".
// A test an engine does not run (tests/engines/engines.ts) is counted as skipped, with its reason in the run's table.
// A missing report counts as one failure: a suite that did not run must not look green.
// Failed and flaky tests are named, with the start of their error, just above that line: CI keeps only the tail
// of a run's output, and a red run must say what was red.
import { existsSync, readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];
const flaky = [];

const firstLines = (text, n = 12) =>
  String(text ?? '')
    .replace(/\u001b\[[0-9;]*m/g, '')
    .split('\n')
    .slice(0, n)
    .map((line) => `    ${line}`)
    .join('\n');

function vitestFailures(report) {
  for (const file of report.testResults ?? []) {
    for (const test of file.assertionResults ?? []) {
      if (test.status === 'failed') failures.push(`unit › ${file.name} › ${test.fullName}\n${firstLines(test.failureMessages?.[0])}`);
    }
    if (file.status === 'failed' && !(file.assertionResults ?? []).some((t) => t.status === 'failed')) {
      failures.push(`unit › ${file.name}\n${firstLines(file.message)}`);
    }
  }
}

function playwrightFailures(report, suites = report.suites ?? []) {
  for (const suite of suites) {
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? []) {
        const where = `[${test.projectName}] ${spec.file}:${spec.line} › ${spec.title}`;
        const results = test.results ?? [];
        const error = [...results].reverse().find((r) => r.error)?.error;
        if (test.status === 'unexpected') failures.push(`${where}\n${firstLines(error?.message ?? error?.value)}`);
        else if (test.status === 'flaky') flaky.push(`${where}\n${firstLines(error?.message ?? error?.value, 4)}`);
      }
    }
    playwrightFailures(report, suite.suites ?? []);
  }
  for (const error of suites === report.suites ? report.errors ?? [] : []) failures.push(`playwright\n${firstLines(error.message)}`);
}

for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    console.log(`missing report: ${file}`);
    failed++;
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  if ('numPassedTests' in report) {
    // vitest
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    skipped += report.numPendingTests + (report.numTodoTests ?? 0);
    vitestFailures(report);
  } else {
    // Playwright
    passed += report.stats.expected + report.stats.flaky;
    failed += report.stats.unexpected;
    skipped += report.stats.skipped;
    playwrightFailures(report);
  }
}
if (flaky.length) console.log(`flaky (failed, then passed on the retry):\n${flaky.join('\n')}`);
if (failures.length) console.log(`failed:\n${failures.join('\n')}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
