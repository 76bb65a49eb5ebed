/**
 * Reorders a container's children to a new order with a FLIP animation: every element keeps its fixed
 * size and slot, so the page never shifts; each one glides from where it was to where it now is.
 */

const DURATION_MS = 520;
const EASING = 'cubic-bezier(0.2, 0.7, 0.2, 1)';

type MovableParent = HTMLElement & { moveBefore?: (node: Node, child: Node | null) => void };

export function prefersReducedMotion(): boolean {
  return matchMedia('(prefers-reduced-motion: reduce)').matches;
}

/** Puts `ordered` into `container` in that order; removes children that are not in it. */
export function flipReorder(container: HTMLElement, ordered: readonly HTMLElement[]): void {
  const animate = !prefersReducedMotion() && container.isConnected;
  const before = new Map<Element, DOMRect>();
  if (animate) for (const child of container.children) before.set(child, child.getBoundingClientRect());

  const keep = new Set<Element>(ordered);
  for (const child of [...container.children]) if (!keep.has(child)) child.remove();

  const focused = document.activeElement;
  const parent = container as MovableParent;
  ordered.forEach((element, index) => {
    const current = container.children[index] ?? null;
    if (current === element) return;
    // moveBefore keeps focus and running animations of a moved node; insertBefore does not.
    if (element.isConnected && element.parentElement === container && parent.moveBefore) {
      parent.moveBefore(element, current);
    } else {
      container.insertBefore(element, current);
    }
  });
  if (focused instanceof HTMLElement && focused !== document.activeElement && container.contains(focused)) {
    focused.focus({ preventScroll: true });
  }

  if (!animate) return;
  for (const element of ordered) {
    const first = before.get(element);
    for (const running of element.getAnimations()) if (running.id === 'flip') running.cancel();
    if (!first) {
      element.animate([{ opacity: 0, transform: 'scale(0.96)' }, { opacity: 1, transform: 'none' }], {
        duration: DURATION_MS,
        easing: EASING,
      }).id = 'flip';
      continue;
    }
    const last = element.getBoundingClientRect();
    const dx = first.left - last.left;
    const dy = first.top - last.top;
    if (Math.abs(dx) < 0.5 && Math.abs(dy) < 0.5) continue;
    element.animate([{ transform: `translate(${dx}px, ${dy}px)` }, { transform: 'none' }], {
      duration: DURATION_MS,
      easing: EASING,
    }).id = 'flip';
  }
}
