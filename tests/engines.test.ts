/**
 * `engines.node` of package.json and the dependencies agree: every Node version localrank accepts
 * is accepted by every package of the lockfile, so `npm install` warns EBADENGINE on none of them.
 * Checked at the edges of each accepted range (its lowest version, the last of its major) and far
 * above, against each locked package's own `engines.node`. A new devDependency that wants a newer
 * Node fails here: pin a version that supports these (`npm view <pkg>@<version> engines`).
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const semver = createRequire(import.meta.url)('semver') as {
  satisfies(version: string, range: string): boolean;
  minVersion(range: string): { major: number; version: string } | null;
};

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; engines?: unknown; optional?: boolean }>;
};

/** The lowest version of each `||` alternative, the last of its major, and a far later one. */
function edges(range: string): string[] {
  const out = new Set<string>(['99.0.0']);
  for (const part of range.split('||')) {
    const min = semver.minVersion(part);
    if (!min) continue;
    out.add(min.version);
    out.add(`${min.major}.999.0`);
  }
  return [...out].filter((v) => semver.satisfies(v, range));
}

describe('engines.node', () => {
  const accepted = edges(manifest.engines.node);

  it('names the Node versions it accepts, this one (CI and developers run Node 20) among them', () => {
    expect(accepted.length).toBeGreaterThan(2);
    expect(semver.satisfies(process.versions.node, manifest.engines.node)).toBe(true);
  });

  it('is accepted by every locked package at every edge of the range', () => {
    const refused: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      const node = (entry.engines as { node?: unknown } | undefined)?.node;
      // npm leaves out an optional package whose engines (or platform) do not fit, without a warning.
      if (!path || entry.optional || typeof node !== 'string') continue;
      for (const version of accepted) if (!semver.satisfies(version, node)) refused.push(`${path.replace(/^.*node_modules\//, '')}@${entry.version} wants ${node}, not ${version}`);
    }
    expect(refused).toEqual([]);
  });
});
