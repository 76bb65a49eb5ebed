/**
 * Places a row's tiles in fixed slots. Every tile sits in the same grid cell and is moved to its slot with a
 * transform, so a reorder changes no layout position at all (no layout shift, by construction) and each
 * tile glides from where it is to its new slot. The DOM order is kept equal to the visual order, for the
 * tab order and for screen readers.
 */

const DURATION_MS = 520;
const EASING = 'cubic-bezier(0.2, 0.7, 0.2, 1)';

type MovableParent = HTMLElement & { moveBefore?: (node: Node, child: Node | null) => void };

function prefersReducedMotion(): boolean {
  return matchMedia('(prefers-reduced-motion: reduce)').matches;
}

function slotTransform(index: number): string {
  return `translateX(calc(${index} * (var(--tile-w) + var(--tile-gap))))`;
}

/** Puts `ordered` into `container` in that order, one slot each; removes children not in it. */
export function placeInSlots(container: HTMLElement, ordered: readonly HTMLElement[]): void {
  const animate = container.isConnected && !prefersReducedMotion();
  // Where each tile is drawn now, mid-animation included.
  const from = new Map<Element, string>();
  if (animate) for (const child of container.children) from.set(child, getComputedStyle(child).transform);

  const keep = new Set<Element>(ordered);
  for (const child of [...container.children]) if (!keep.has(child)) child.remove();

  const focused = document.activeElement;
  const parent = container as MovableParent;
  ordered.forEach((element, index) => {
    const current = container.children[index] ?? null;
    if (current === element) return;
    // moveBefore keeps focus and running animations of a moved node; insertBefore does not.
    if (parent.moveBefore && element.parentElement === container) parent.moveBefore(element, current);
    else container.insertBefore(element, current);
  });
  if (focused instanceof HTMLElement && focused !== document.activeElement && container.contains(focused)) {
    focused.focus({ preventScroll: true });
  }

  ordered.forEach((element, index) => {
    const to = slotTransform(index);
    const start = from.get(element);
    for (const running of element.getAnimations()) if (running.id === 'slot') running.cancel();
    element.style.transform = to;
    if (!animate) return;
    const keyframes = start
      ? [{ transform: start }, { transform: to }]
      : [{ transform: `${to} scale(0.96)`, opacity: 0 }, { transform: to, opacity: 1 }];
    if (start && getComputedStyle(element).transform === start) return;
    element.animate(keyframes, { duration: DURATION_MS, easing: EASING }).id = 'slot';
  });
}
