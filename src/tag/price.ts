/**
 * Reads a price as shops print it: `89`, `$89`, `1,299.00`, `1.299,00 €`, `1 299,50 zł`, `CHF 1'299.-`.
 *
 * Currency signs and words around the number are ignored. Inside it, `.` and `,` are read like this:
 * - both occur: the last one is the decimal separator (`1,299.00`, `1.299,00`);
 * - one of them occurs more than once: it groups thousands (`1,299,000`);
 * - one occurs once: followed by exactly three digits it groups thousands (`1,299` and `1.299` are
 *   1299), otherwise it is the decimal separator (`89,90`, `9.5`).
 * Spaces and apostrophes group thousands. Anything else (a range, a minus sign, two numbers, no
 * digits) is not a price: `undefined`.
 */
export function parsePrice(raw: string): number | undefined {
  // `12.-` (Swiss francs) has no cents. Then the number: from the first digit (or a separator
  // before one) to the last digit.
  const text = raw.replace(/(\d)[.,][-–—](?!\d)/g, '$1');
  const match = /[\d.,][\d.,'’\s]*\d|\d/.exec(text);
  if (!match) return undefined;
  const rest = text.slice(0, match.index) + text.slice(match.index + match[0].length);
  // A minus sign or a second number means this is not one price.
  if (/[\d-−]/.test(rest)) return undefined;
  const number = match[0].replace(/['’\s]/g, '');
  const dot = number.lastIndexOf('.');
  const comma = number.lastIndexOf(',');
  let decimal = '';
  if (dot >= 0 && comma >= 0) decimal = dot > comma ? '.' : ',';
  else if (dot >= 0 || comma >= 0) {
    const sep = dot >= 0 ? '.' : ',';
    const single = number.indexOf(sep) === number.lastIndexOf(sep);
    if (single && !/^\d*[.,]\d{3}$/.test(number)) decimal = sep;
  }
  const parts = decimal ? [number.slice(0, number.lastIndexOf(decimal)), number.slice(number.lastIndexOf(decimal) + 1)] : [number];
  const whole = parts[0]!;
  // Grouping separators must separate groups of digits: `1,,2` or `1.2.3,4` with short groups is not a price.
  if (parts.length > 1 && /[.,]/.test(parts[1]!)) return undefined;
  if (whole && !/^\d+([.,]\d{2,3})*$/.test(whole)) return undefined;
  const value = Number(`${whole.replace(/[.,]/g, '') || '0'}.${parts[1] ?? '0'}`);
  return Number.isFinite(value) ? value : undefined;
}
