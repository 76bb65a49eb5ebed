/**
 * The consumer apps beside this file: each a fresh app as a user would start one with a bundler
 * and its default configuration, importing `localrank` from the packed tarball (`npm pack`).
 *
 * `install` copies an app to `.cache/consumers/<name>/` with the shared scenario in its `src/`,
 * and installs the tarball there with `npm install --offline` (it has no dependencies, so nothing
 * else is fetched). The bundlers come from this repository's devDependencies: Node, npm scripts
 * and the bundlers find them by walking up from `.cache/`.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startServer } from '../../scripts/serve';

const run = promisify(execFile);

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = fileURLToPath(new URL('.', import.meta.url));
export const WORK = join(ROOT, '.cache/consumers');

export interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string; size: number }[];
}

/**
 * `npm pack` of the built package (run `npm run build` first) into `.cache/consumers/`. Without
 * the `prepack` script: the suite has just built `dist/`, and building it again per spec file
 * would only cost minutes.
 */
export async function pack(): Promise<PackResult & { tarball: string }> {
  if (!existsSync(join(ROOT, 'dist/localrank.d.ts'))) throw new Error('localrank is not built: run `npm run build` first.');
  mkdirSync(WORK, { recursive: true });
  const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', WORK], { cwd: ROOT });
  const [result] = JSON.parse(stdout) as PackResult[];
  return { ...result, tarball: join(WORK, result.filename) };
}

/** A fresh copy of the fixture app `name` with the tarball installed; returns its folder. */
export async function install(name: string, tarball: string): Promise<string> {
  const dir = join(WORK, name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  if (existsSync(join(dir, 'src'))) cpSync(join(FIXTURES, 'shared/scenario.js'), join(dir, 'src/scenario.js'));
  await run('npm', ['install', '--offline', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', tarball], { cwd: dir });
  return dir;
}

/** `npm run <script>` in an app; resolves with its output, rejects with it. */
export async function npmRun(dir: string, script: string): Promise<string> {
  try {
    const { stdout, stderr } = await run('npm', ['run', script], { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
    return stdout + stderr;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm run ${script} failed in ${dir}:\n${stdout}\n${stderr}`);
  }
}

export interface Served {
  origin: string;
  close(): Promise<void>;
}

/** Serves a built app's `dist/` as static files, as any web server would. */
export function serveStatic(dir: string): Promise<Served> {
  return startServer(join(dir, 'dist'));
}

/** Runs `vite` (the dev server) or `vite preview` in an app, on a free port. */
export async function serveVite(dir: string, command: 'dev' | 'preview'): Promise<Served> {
  const port = await freePort();
  const bin = join(ROOT, 'node_modules/vite/bin/vite.js');
  const args = [bin, ...(command === 'preview' ? ['preview'] : []), '--port', String(port), '--strictPort', '--host', '127.0.0.1'];
  const child = spawn(process.execPath, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const origin = `http://127.0.0.1:${port}`;
  for (let waited = 0; ; waited += 100) {
    if (child.exitCode !== null) throw new Error(`vite ${command} exited:\n${output}`);
    if (await fetch(origin).then((r) => r.ok, () => false)) break;
    if (waited > 30_000) {
      child.kill();
      throw new Error(`vite ${command} did not answer:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { origin, close: () => stop(child) };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill();
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
