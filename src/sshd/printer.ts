// printSshdConfig: the CST back to bytes. Printing is the concatenation of the line spans, so
// print(parse(x)) === x for every byte string; nothing is re-serialised from a model.
import type { ByteString } from '../text/bytes.js';
import type { ConfigFile, ConfigLine } from './cst.js';

export function printSshdConfig(file: ConfigFile): ByteString {
  let out = '';
  for (const l of file.lines) out += file.text.slice(l.start, l.end);
  return out;
}

/** The bytes of one line, terminator included. */
export function lineText(file: ConfigFile, line: ConfigLine): ByteString {
  return file.text.slice(line.start, line.end);
}
