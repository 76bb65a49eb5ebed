/**
 * `npm test`: makes sure of what the tests need (Chromium; PyTorch for the PyTorch trainer's tests:
 * installed where it can, see test-needs.ts), runs the unit tests, then the browser tests, and ends
 * by saying what ran and what did not. Without Chromium it stops with the command to run; without
 * PyTorch the trainer's tests are reported as not run, with the command that would run them.
 */
import { spawnSync } from 'node:child_process';
import { CHROMIUM_NEED, chromiumPath } from './chromium';
import { ensure, thisSystem, type Need } from './test-needs';
import { pythonPath, TORCH_PACKAGES, torchUnavailable } from '../src/training/pretrain/python';

/** The tests that need PyTorch: they skip themselves without it (torchUnavailable()). */
const TORCH_TESTS = 'the PyTorch trainer\'s tests (tests/torch/*.test.ts, tests/browser/torch.spec.ts, two in tests/cli/flags.test.ts)';

const TORCH_NEED: Need = { name: 'PyTorch', packages: TORCH_PACKAGES, missing: torchUnavailable };

const system = thisSystem();
const noChromium = ensure(CHROMIUM_NEED, system);
if (noChromium) {
  console.error(noChromium);
  process.exit(1);
}
const noTorch = ensure(TORCH_NEED, system);
if (noTorch) system.log(`PyTorch is missing: ${TORCH_TESTS} will be skipped.\n${noTorch}`);

function npmRun(script: string): boolean {
  return spawnSync('npm', ['run', script], { stdio: 'inherit' }).status === 0;
}

const unit = npmRun('test:unit');
const browser = unit ? npmRun('test:browser') : null;
// The core of the browser suite in Chromium, Firefox and WebKit (tests/engines/engines.ts says what runs where).
const engines = unit ? npmRun('test:engines') : null;

const outcome = (ok: boolean | null) => (ok === null ? 'not run (the unit tests failed)' : ok ? 'passed' : 'FAILED');
console.log(`
npm test:
  ran      unit tests (vitest): ${outcome(unit)}
  ${browser === null ? 'not run ' : 'ran     '} browser tests (Playwright, Chromium ${chromiumPath() ?? "(Playwright's own)"}): ${outcome(browser)}
  ${engines === null ? 'not run ' : 'ran     '} cross-engine tests (Chromium, Firefox ESR, WebKitGTK): ${outcome(engines)}
  ${noTorch ? `not run  ${TORCH_TESTS}: skipped, ${noTorch.split('\n').join('\n           ')}` : `ran      ${TORCH_TESTS}, with ${pythonPath()}`}
`);
process.exit(unit && browser && engines ? 0 : 1);
