// Reading Markdown as GitHub renders it, enough to check the README and docs/: the links and images
// outside code, and the anchors GitHub gives headings; and which Markdown files the project has.
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { REPOSITORY_ROOT } from '../../tools/functions/run.ts';

export interface MarkdownLink {
  /** The target as written, e.g. `docs/deploy.md#what-was-run-where`. */
  target: string;
  /** 1-based line of the link. */
  line: number;
}

const FENCE = /^(```|~~~)/;

/** Each line of the text, with fenced blocks blanked: what is left is prose and headings. */
function proseLines(markdown: string): string[] {
  let inFence = false;
  return markdown.split('\n').map((line) => {
    if (FENCE.test(line.trimStart())) {
      inFence = !inFence;
      return '';
    }
    return inFence ? '' : line;
  });
}

/** The text without inline code spans (a link inside backticks is not a link). */
function withoutInlineCode(line: string): string {
  return line.replace(/(`+)[^`]*?\1/g, '');
}

const LINK = /!?\[[^\]]*\]\(\s*([^)\s]+)(?:\s+"[^"]*")?\s*\)/g;

/** Every link and image target outside code, with its line. */
export function linksOf(markdown: string): MarkdownLink[] {
  return proseLines(markdown).flatMap((line, index) =>
    [...withoutInlineCode(line).matchAll(LINK)].map(([, target = '']) => ({ target, line: index + 1 })),
  );
}

/** GitHub's anchor for a heading's text: lower case, punctuation dropped, each space a hyphen. */
export function slugOf(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`/g, '')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/ /g, '-');
}

/** The anchors of every heading outside code, a repeated one numbered as GitHub numbers it (-1, -2...). */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const slug = slugOf(heading);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** The npm scripts a text runs: `npm run X`, `npm start` and `npm test`, in code or prose. */
export function npmScriptsOf(markdown: string): string[] {
  const scripts = [...markdown.matchAll(/\bnpm (?:run(?:-script)? ([a-z][\w-]*(?::[\w-]+)*)|(start|test)\b)/g)].map(
    ([, run, shorthand]) => run ?? shorthand ?? '',
  );
  return [...new Set(scripts)];
}

/** README.md and every Markdown file under docs/, relative to the repository. */
export async function markdownDocuments(): Promise<string[]> {
  const entries = await readdir(join(REPOSITORY_ROOT, 'docs'), { recursive: true, withFileTypes: true });
  const docs = entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.md'))
    .map((entry) => relative(REPOSITORY_ROOT, join(entry.parentPath, entry.name)));
  return ['README.md', ...docs.sort()];
}
