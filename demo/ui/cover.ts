/** A generated cover for a product: a gradient in its categories' colours and the name's initials. */
import type { Product } from '../catalog';

/** Film genres (Reelhouse) and sports categories (Trailhead); others get a hue from the name. */
const CATEGORY_HUE: Record<string, number> = {
  Action: 12,
  Adventure: 32,
  Animation: 320,
  "Children's": 95,
  Comedy: 45,
  Crime: 215,
  Documentary: 170,
  Drama: 255,
  Fantasy: 285,
  'Film-Noir': 230,
  Horror: 355,
  Musical: 330,
  Mystery: 240,
  Romance: 340,
  'Sci-Fi': 190,
  Thriller: 200,
  War: 75,
  Western: 25,
  'Hunting & Fishing': 110,
  'Outdoor Gear': 28,
  Cycling: 205,
  'Exercise & Fitness': 330,
  Accessories: 265,
  'Paintball & Airsoft': 80,
  Clothing: 300,
  'Boating & Water Sports': 188,
  'Other Sports': 48,
  'Team Sports': 0,
};

const SMALL_WORDS = new Set(['the', 'a', 'an', 'of', 'and', 'il', 'la', 'le', 'les', 'el', 'in', 'on', 'to']);

export function initials(title: string): string {
  const words = title
    .replace(/\(.*?\)/g, '')
    .split(/[\s:-]+/)
    .map((word) => word.replace(/[^\p{L}\p{N}]/gu, ''))
    .filter(Boolean);
  const main = words.filter((word) => !SMALL_WORDS.has(word.toLowerCase()));
  const picked = (main.length ? main : words).slice(0, 2);
  return picked.map((word) => word[0].toUpperCase()).join('');
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** CSS custom properties for a product's cover; the stylesheet turns them into a gradient. */
export function coverStyle(product: Product): Record<string, string> {
  const seed = hash(product.title);
  const first = CATEGORY_HUE[product.categories[0]] ?? seed % 360;
  const second = CATEGORY_HUE[product.categories[1]] ?? (first + 40 + (seed % 60)) % 360;
  const dark = product.categories.includes('Film-Noir') || product.categories.includes('Horror');
  return {
    '--cover-h1': String(first),
    '--cover-h2': String(second),
    '--cover-angle': `${135 + (seed % 90)}deg`,
    '--cover-l': dark ? '22%' : '42%',
  };
}
