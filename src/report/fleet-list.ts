// Renderers of a listing over many hosts (src/fleet/list.ts FleetListReport): JSON (the versioned
// envelope, schemas/<command>-fleet.schema.json, each host's listing exactly as `COMMAND --json`
// prints it for one host) and text: one HOST column in front of the rows each host's listing has
// on its own (src/report/lists.ts), hosts in the order named, a host without rows saying so and an
// unreachable one `HOST  ERROR reason` in its place; warnings and notes, each with its host, for
// stderr. Pure.
import type { FleetListReport, ListCommand } from '../fleet/list.js';
import type { Versioned } from './document.js';
import { renderRows, type ListView } from './lists.js';
import { NO_COLOR, type Palette } from './text.js';

export function renderFleetListJson(r: FleetListReport<ListCommand, object>): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

export function renderFleetListText<C extends ListCommand, B extends object>(r: FleetListReport<C, B>, view: (listing: Versioned<C, B>) => ListView, c: Palette = NO_COLOR): { out: string; err: string[] } {
  const views = r.hosts.map((h) => (h.status === 'listed' ? view(h.listing) : undefined));
  const head = views.find((v) => v?.head)?.head;
  const width = Math.max(4, ...r.hosts.map((h) => h.name.length));
  const rows = r.hosts.flatMap((h, i) => (views[i]?.rows ?? []).map((row) => [h.name, ...row]));
  // Aligned as one table over every host; free rows (one cell) get the host in front of each line.
  const table = head ? renderRows(['HOST', ...head], rows, c) : [];
  const out: string[] = head ? [table[0]!] : [];
  let next = 1;
  r.hosts.forEach((h, i) => {
    const v = views[i];
    const lead = h.name.padEnd(width);
    if (!v) out.push(`${lead}  ${c.red('ERROR')} ${h.status === 'error' ? h.error : ''}`);
    else if (v.rows.length === 0) out.push(`${lead}  ${c.dim(v.empty)}`);
    else if (head) out.push(...table.slice(next, (next += v.rows.length)));
    else for (const row of v.rows) for (const line of row.join('  ').split('\n')) out.push(`${lead}  ${line}`);
  });
  const err = [
    ...r.hosts.flatMap((h, i) => [...(views[i]?.warnings ?? []), ...h.notes.map((n) => `note: ${n}`)].map((w) => `${h.name}: ${w}`)),
    ...r.hosts.flatMap((h) => (h.status === 'error' ? [`${h.name} (${h.target}): ${h.error}`] : [])),
  ];
  return { out: `${out.join('\n')}\n`, err };
}
