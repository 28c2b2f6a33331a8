// The shell blocks of a document and what is promised of each: a block the tests run as written says
// so in an HTML comment right above it (`<!-- runs here: kind, cloud -->`, naming the scenarios of
// test/cluster/deploy-docs.test.ts that run it), and a block that cannot run here says why
// (`<!-- not run here: needs Docker, which this machine lacks -->`). Neither shows on the rendered
// page; a shell block with neither is an error, so that no command in the docs goes untried unsaid.

export interface CommandBlock {
  /** 1-based line of the opening fence. */
  line: number;
  /** The commands, as written. */
  body: string;
  /** The scenarios that run it; empty when it is not run here. */
  runs: string[];
  /** Why it is not run here, when it is not. */
  notRun?: string;
}

export class CommandBlockError extends Error {
  override name = 'CommandBlockError';
}

const SHELL_FENCE = /^```(sh|bash|shell)\s*$/;
const RUNS = /^<!--\s*runs here:\s*([a-z0-9, -]+?)\s*-->$/;
const NOT_RUN = /^<!--\s*not run here:\s*(.+?)\s*-->$/;

/** Every shell block of `markdown` with its promise; throws naming each block that has none. */
export function commandBlocks(markdown: string, document = 'the document'): CommandBlock[] {
  const lines = markdown.split('\n');
  const blocks: CommandBlock[] = [];
  const unmarked: number[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const fence = /^```/.exec(lines[index] ?? '');
    if (!fence) continue;
    const end = lines.findIndex((line, at) => at > index && line.startsWith('```'));
    if (end < 0) throw new CommandBlockError(`${document}:${index + 1}: a fenced block is never closed`);
    if (SHELL_FENCE.test(lines[index] ?? '')) {
      const marker = (lines[index - 1] ?? '').trim();
      const runs = RUNS.exec(marker)?.[1];
      const notRun = NOT_RUN.exec(marker)?.[1];
      const body = lines.slice(index + 1, end).join('\n');
      if (runs !== undefined) {
        blocks.push({ line: index + 1, body, runs: runs.split(',').map((name) => name.trim()) });
      } else if (notRun !== undefined) {
        blocks.push({ line: index + 1, body, runs: [], notRun });
      } else {
        unmarked.push(index + 1);
      }
    }
    index = end;
  }
  if (unmarked.length > 0) {
    throw new CommandBlockError(
      `${document}: the shell blocks at lines ${unmarked.join(', ')} say neither "<!-- runs here: ... -->" nor "<!-- not run here: why -->" on the line above them`,
    );
  }
  return blocks;
}

/** The blocks one scenario runs, in the document's order; a scenario that runs none is an error. */
export function scenarioBlocks(blocks: readonly CommandBlock[], scenario: string): CommandBlock[] {
  const chosen = blocks.filter((block) => block.runs.includes(scenario));
  if (chosen.length === 0) throw new CommandBlockError(`no block is run by the scenario ${scenario}`);
  return chosen;
}
