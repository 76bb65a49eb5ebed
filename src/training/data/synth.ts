/**
 * Synthetic shop logs (Node only) for tests, fixtures and throughput measurements: `events.csv`
 * (user_id, item_id, timestamp, event_type; users interleaved in time order, as exports are) and
 * `catalog.csv` (category path, brand, price, title, color). Each user mostly browses one
 * category, so a model has something to learn. Streams its output: 10M events need no more
 * memory than 10 thousand.
 */
import { once } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from './random';

export interface SynthOptions {
  /** Folder for events.csv and catalog.csv. */
  dir: string;
  items: number;
  /** Users to write (all their events), or 0 to stop at `events`. */
  users: number;
  /** Most events to write. */
  events: number;
  categories?: number;
  /** Mean events per user (at least 3 each). */
  meanEvents?: number;
  seed?: number;
}

const TYPES: Array<[string, number]> = [['view_item', 0.7], ['select_item', 0.15], ['add_to_cart', 0.1], ['purchase', 0.05]];
const COLORS = ['red', 'blue', 'green', 'black', 'white'];
const BRANDS = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark'];

async function write(out: WriteStream, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

async function close(out: WriteStream): Promise<void> {
  out.end();
  await once(out, 'finish');
}

/** Writes the two files; returns the events and users written. */
export async function writeSynthetic(options: SynthOptions): Promise<{ events: number; users: number }> {
  const { dir, items, users } = options;
  const total = users > 0 ? Infinity : options.events;
  const categories = options.categories ?? Math.max(2, Math.round(Math.sqrt(items) / 4));
  const meanEvents = options.meanEvents ?? 12;
  const random = seededRandom(options.seed ?? 1);
  mkdirSync(dir, { recursive: true });
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];

  const catalogue = createWriteStream(join(dir, 'catalog.csv'));
  await write(catalogue, 'item_id,category,brand,price,title,color\n');
  for (let i = 0; i < items; i++) {
    const c = i % categories;
    const price = (5 + random() * 95 * (1 + c)).toFixed(2);
    await write(catalogue, `p${i},"Shop > Dept ${c % 3} > Category ${c}",${pick(BRANDS)},${price},"Product ${i} of category ${c}",${pick(COLORS)}\n`);
  }
  await close(catalogue);

  // Concurrently active users; each event goes to a random one, so users interleave.
  interface Session { user: number; left: number; category: number; last: number }
  const sessions: Session[] = [];
  let nextUser = 0;
  const newSession = (): Session | null => {
    if (users > 0 && nextUser >= users) return null;
    const left = 3 + Math.floor(-Math.log(1 - random()) * (meanEvents - 3));
    return { user: nextUser++, left, category: Math.floor(random() * categories), last: -1 };
  };
  for (let i = 0; i < Math.min(1000, users || 1000); i++) {
    const s = newSession();
    if (s) sessions.push(s);
  }
  const events = createWriteStream(join(dir, 'events.csv'));
  await write(events, 'user_id,item_id,timestamp,event_type\n');
  let time = Date.UTC(2024, 0, 1);
  let written = 0;
  let chunk = '';
  while (written < total && sessions.length > 0) {
    const k = Math.floor(random() * sessions.length);
    const s = sessions[k];
    // Mostly the favourite category; now and then the same item again, or anything at all.
    let item: number;
    const r = random();
    if (s.last >= 0 && r < 0.1) item = s.last;
    else if (r < 0.85) item = s.category + categories * Math.floor(random() * Math.ceil((items - s.category) / categories));
    else item = Math.floor(random() * items);
    let u = random();
    const type = TYPES.find(([, p]) => (u -= p) < 0)?.[0] ?? 'view_item';
    time += Math.floor(random() * 2000);
    chunk += `u${s.user},p${item},${new Date(time).toISOString()},${type}\n`;
    s.last = item;
    written++;
    if (--s.left <= 0) {
      const next = newSession();
      if (next) sessions[k] = next;
      else sessions.splice(k, 1);
    }
    if (chunk.length > 1 << 16) {
      await write(events, chunk);
      chunk = '';
    }
  }
  await write(events, chunk);
  await close(events);
  return { events: written, users: nextUser };
}
