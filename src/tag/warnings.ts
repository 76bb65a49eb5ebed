/**
 * How the shop learns what localrank could not use. Each problem of the markup is told once per
 * element: a bubbling `localrank:warning` event on the element at fault, whose `detail` is a
 * {@link Warning}, and an entry in `localrank('diagnose')`. Nothing reaches the visitor.
 */
import type { Problem, ProblemCode } from './markup';

export const WARNING_EVENT = 'localrank:warning';

export interface Warning {
  /** What is wrong; the script-tag guide explains each code (docs/script-tag.md, "Limits"). */
  code: ProblemCode;
  /** True when the tile is left out: not tracked (no usable id) or never moved (a duplicate). */
  skipped: boolean;
  attribute?: string;
  itemId?: string;
  listId?: string;
  /** The element at fault (a tile, a list, a product view, a script tag). */
  element: Element;
}

const SKIPPED: ReadonlySet<ProblemCode> = new Set(['EMPTY_ID', 'ID_TOO_LONG', 'DUPLICATE_ID']);

/** Warnings kept for `diagnose`; older ones go first. */
const MAX_KEPT = 200;

export class Diagnostics {
  private readonly told = new WeakMap<Element, Set<string>>();
  private warnings: Warning[] = [];

  report(element: Element, problems: readonly Problem[], context: { itemId?: string; listId?: string } = {}): void {
    if (!problems.length) return;
    let told = this.told.get(element);
    if (!told) this.told.set(element, (told = new Set()));
    for (const { code, attribute } of problems) {
      const key = `${code} ${attribute}`;
      if (told.has(key)) continue;
      told.add(key);
      const warning: Warning = { code, skipped: SKIPPED.has(code), attribute, ...context, element };
      this.warnings.push(warning);
      if (this.warnings.length > MAX_KEPT) this.warnings.splice(0, this.warnings.length - MAX_KEPT);
      console.debug(`[localrank] ${code} ${attribute}`, element);
      element.dispatchEvent(new CustomEvent(WARNING_EVENT, { bubbles: true, detail: warning }));
    }
  }

  /** The warnings about elements still on the page, oldest first. */
  current(): Warning[] {
    return this.warnings.filter((w) => w.element.isConnected);
  }
}
