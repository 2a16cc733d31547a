// When to colour: NO_COLOR (set at all) turns colour off; otherwise FORCE_COLOR (set, and not
// "0" or "false") turns it on even when the output is piped; otherwise only a terminal that is not
// TERM=dumb gets colour. One rule for every command's text output, its diffs included.
import { createColors } from 'picocolors';
import { NO_COLOR, type Palette } from '../report/text.js';

export function colorEnabled(isTTY: boolean, env: NodeJS.ProcessEnv): boolean {
  if ('NO_COLOR' in env) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  return isTTY && env.TERM !== 'dumb';
}

export function paletteFor(isTTY: boolean, env: NodeJS.ProcessEnv): Palette {
  return colorEnabled(isTTY, env) ? createColors(true) : NO_COLOR;
}
