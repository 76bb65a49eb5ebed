/** A polite live region: a short visible note that screen readers also hear. */
let timer = 0;

export function announce(message: string): void {
  const toast = document.getElementById('toast');
  if (!toast) return;
  toast.textContent = message;
  toast.classList.add('visible');
  clearTimeout(timer);
  timer = window.setTimeout(() => toast.classList.remove('visible'), 3200);
}
