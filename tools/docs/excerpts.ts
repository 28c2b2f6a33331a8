// Code the docs quote from the repository's own files. A fenced block right under
// `<!-- excerpt: functions/lib/spans.ts -->` is an excerpt of that file: its lines must stand in the
// file in a row, as written, so that a quote cannot drift from the code it shows. One indentation
// common to all its lines may be dropped: Biome formats the docs' code blocks, and a block taken from
// inside a function starts at the margin once formatted. A TypeScript or JavaScript block that
// names no file is an error: code in the docs is either ours, quoted, or not there.

export interface Excerpt {
  /** 1-based line of the opening fence. */
  line: number;
  /** The quoted file, relative to the repository. */
  file: string;
  /** The lines between the fences, as written. */
  body: string;
}

export class ExcerptError extends Error {
  override name = 'ExcerptError';
}

const FENCE = /^```(\S*)\s*$/;
const MARKER = /^<!--\s*excerpt:\s*(\S+)\s*-->$/;
const CODE_LANGUAGES = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs']);

/** Every excerpt of `markdown`; throws naming a marker with no block under it, or code that quotes no file. */
export function excerptsOf(markdown: string, document = 'the document'): Excerpt[] {
  const lines = markdown.split('\n');
  const excerpts: Excerpt[] = [];
  const problems: string[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const text = lines[index] ?? '';
    const marker = MARKER.exec(text.trim());
    if (marker && !FENCE.test(lines[index + 1] ?? '')) {
      problems.push(`${document}:${index + 1}: an excerpt marker with no fenced block on the next line`);
    }
    const fence = FENCE.exec(text);
    if (!fence) continue;
    const end = lines.findIndex((line, at) => at > index && line.startsWith('```'));
    if (end < 0) throw new ExcerptError(`${document}:${index + 1}: a fenced block is never closed`);
    const file = MARKER.exec((lines[index - 1] ?? '').trim())?.[1];
    if (file !== undefined) {
      excerpts.push({ line: index + 1, file, body: lines.slice(index + 1, end).join('\n') });
    } else if (CODE_LANGUAGES.has(fence[1] ?? '')) {
      problems.push(
        `${document}:${index + 1}: a ${fence[1]} block that quotes no file (<!-- excerpt: path --> above it)`,
      );
    }
    index = end;
  }
  if (problems.length > 0) throw new ExcerptError(problems.join('\n'));
  return excerpts;
}

/**
 * The 1-based line of `source` where `body` starts, its lines in a row and each as written after one
 * indentation common to them all (a blank line matches a blank line); undefined when it is not there.
 */
export function findExcerpt(source: string, body: string): number | undefined {
  const wanted = body.split('\n');
  const first = wanted[0] ?? '';
  if (wanted.every((line) => line.trim() === '')) return undefined;
  const lines = source.split('\n');
  for (let start = 0; start + wanted.length <= lines.length; start += 1) {
    const candidate = lines[start] ?? '';
    if (!candidate.endsWith(first)) continue;
    const indent = candidate.slice(0, candidate.length - first.length);
    if (indent.trim() !== '') continue;
    const matches = wanted.every((line, offset) => {
      const found = lines[start + offset] ?? '';
      return line.trim() === '' ? found.trim() === '' : found === indent + line;
    });
    if (matches) return start + 1;
  }
  return undefined;
}
