/**
 * docs/contract.md is the platform's contract, and the repository cites its sections. These checks
 * keep every citation followable: nothing points at the external specification (which is not in
 * the repository), and every `docs/contract.md §N`, `contract.md#anchor` and Markdown link to the
 * contract names a section the contract has.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const REPO_ROOT = resolve(__dirname, '..', '..', '..');
const CONTRACT = join(REPO_ROOT, 'docs', 'contract.md');
const THIS_FILE = relative(REPO_ROOT, __filename).split(sep).join('/');

/** Not the repository's own text: dependencies, build output, tool caches, generated results. */
const SKIPPED_DIRECTORIES = new Set([
  '.git',
  'node_modules',
  'dist',
  'coverage',
  '.nx',
  '.tools',
  '.data',
  '.bench',
  'screenshots',
]);
const SKIPPED_FILES = new Set(['package-lock.json', '.test-results.json']);

/** Ways of citing the external specification instead of the contract. */
const SPECIFICATION_REFERENCES = [
  /\bSPEC\b/, // "SPEC section 7", "the SPEC labels", "SPEC.md"
  /\bspec(?:ification)?\s*(?:section|§)\s*\d/i, // "specification section 2", "spec §5"
];

interface TextFile {
  path: string; // relative to the repository root, with forward slashes
  text: string;
}

function repositoryFiles(dir = REPO_ROOT, found: TextFile[] = []): TextFile[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(entry.name)) repositoryFiles(full, found);
      continue;
    }
    if (!entry.isFile() || SKIPPED_FILES.has(entry.name) || entry.name.endsWith('.test-results.json'))
      continue;
    if (statSync(full).size > 1_000_000) continue;
    const bytes = readFileSync(full);
    if (bytes.includes(0)) continue; // binary (images and the like)
    found.push({ path: relative(REPO_ROOT, full).split(sep).join('/'), text: bytes.toString('utf8') });
  }
  return found;
}

/** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens. */
function githubAnchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

interface Section {
  heading: string;
  anchor: string;
  /** "5" for "## 5. Edge routes", "3.2" for "### 3.2 Errors and status codes". */
  number: string | undefined;
}

function sectionsOf(markdown: string): Section[] {
  const sections: Section[] = [];
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const match = fenced ? null : /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (!match) continue;
    const heading = match[1]!;
    const base = githubAnchor(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    sections.push({
      heading,
      anchor: count === 0 ? base : `${base}-${count}`,
      number: /^(\d+(?:\.\d+)*)\.?\s/.exec(heading)?.[1],
    });
  }
  return sections;
}

const files = repositoryFiles();
const contractText = readFileSync(CONTRACT, 'utf8');
const sections = sectionsOf(contractText);
const byAnchor = new Map(sections.map((section) => [section.anchor, section]));
const numbers = new Set(sections.flatMap((section) => (section.number ? [section.number] : [])));

/** A section number cited in text: `§5`, `§ 3.2`, `section 7`. */
const citedNumber = (text: string) => /(?:§\s*|\bsections?\s+)(\d+(?:\.\d+)*)/i.exec(text)?.[1];

interface Problem {
  file: string;
  line: number;
  problem: string;
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

function referenceProblems(file: TextFile): { problems: Problem[]; references: number } {
  const problems: Problem[] = [];
  let references = 0;
  const report = (index: number, problem: string) =>
    problems.push({ file: file.path, line: lineOf(file.text, index), problem });

  // Plain citations in code, comments and prose: `docs/contract.md §2`, `docs/contract.md §1 and §7`.
  for (const match of file.text.matchAll(
    /contract\.md((?:(?:,\s*|\s+(?:and|or)\s+|\s+)§\s*\d+(?:\.\d+)*)+)/g,
  )) {
    for (const cited of match[1]!.matchAll(/§\s*(\d+(?:\.\d+)*)/g)) {
      references++;
      if (!numbers.has(cited[1]!))
        report(match.index, `cites §${cited[1]}, which docs/contract.md does not have`);
    }
  }

  // Anchors anywhere (`contract.md#5-edge-routes`), Markdown link or not.
  for (const match of file.text.matchAll(/contract\.md#([\w-]*)/g)) {
    references++;
    if (!byAnchor.has(match[1]!))
      report(match.index, `links #${match[1]}, which is not a heading of docs/contract.md`);
  }

  if (file.path.endsWith('.md')) {
    // Markdown links to the contract: the path must lead to it from this file, and a section the
    // link text names (`[contract §5](...)`) must be the one the anchor opens.
    const links = /\[([^\]]*)\]\(([^)\s#]*contract\.md)(?:#([\w-]*))?\)/g;
    for (const match of file.text.matchAll(links)) {
      const [, text, target, anchor] = match as unknown as [string, string, string, string | undefined];
      if (resolve(REPO_ROOT, dirname(file.path), target) !== CONTRACT)
        report(match.index, `links ${target}, which is not docs/contract.md from ${file.path}`);
      const cited = citedNumber(text);
      const section = anchor === undefined ? undefined : byAnchor.get(anchor);
      if (cited && section && section.number !== cited)
        report(match.index, `says §${cited} but links #${anchor} (${section.heading})`);
    }
  }

  if (file.path === 'docs/contract.md') {
    // The contract's own cross-references: `[section 8](#8-...)` and "section 2.2" in its text.
    for (const match of file.text.matchAll(/\[([^\]]*)\]\(#([\w-]*)\)/g)) {
      references++;
      const section = byAnchor.get(match[2]!);
      const cited = citedNumber(match[1]!);
      if (!section) report(match.index, `links #${match[2]}, which is not a heading here`);
      else if (cited && section.number !== cited)
        report(match.index, `says section ${cited} but links #${match[2]} (${section.heading})`);
    }
    for (const match of file.text.matchAll(/\bsections?\s+(\d+(?:\.\d+)*)/gi)) {
      references++;
      if (!numbers.has(match[1]!))
        report(match.index, `mentions section ${match[1]}, which it does not have`);
    }
  }
  return { problems, references };
}

describe('docs/contract.md', () => {
  it('numbers its top-level sections 1, 2, 3, ... and every subsection under an existing section', () => {
    const top = sections.filter((section) => section.number && !section.number.includes('.'));
    expect(top.map((section) => section.number)).toEqual(top.map((_, index) => String(index + 1)));
    for (const section of sections.filter((candidate) => candidate.number?.includes('.'))) {
      expect(numbers).toContain(section.number!.split('.').slice(0, -1).join('.'));
    }
  });

  it('has the sections the repository relies on, with the anchors it links', () => {
    for (const anchor of [
      '1-components-and-ports',
      '2-configuration',
      '3-http-api',
      '4-web-app-routes',
      '5-edge-routes',
      '6-labels',
      '7-traffic-flows',
      '8-where-the-implementation-goes-beyond-the-specification',
    ]) {
      expect([...byAnchor.keys()]).toContain(anchor);
    }
  });

  it('computes anchors as GitHub does', () => {
    expect(githubAnchor('5. Edge routes')).toBe('5-edge-routes');
    expect(githubAnchor('8.1 405 Method Not Allowed with `Allow`')).toBe(
      '81-405-method-not-allowed-with-allow',
    );
  });

  it('is linked from the README', () => {
    expect(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')).toContain('](docs/contract.md)');
  });
});

describe('references in the repository', () => {
  it('never cite the external specification, which is not in the repository', () => {
    const offending = files
      .filter((file) => file.path !== THIS_FILE)
      .flatMap((file) =>
        file.text
          .split('\n')
          .flatMap((text, index) =>
            SPECIFICATION_REFERENCES.some((pattern) => pattern.test(text))
              ? [`${file.path}:${index + 1}: ${text.trim()}`]
              : [],
          ),
      );
    expect(offending).toEqual([]);
  });

  it('name only sections and anchors docs/contract.md has', () => {
    const results = files.filter((file) => file.path !== THIS_FILE).map(referenceProblems);
    const problems = results
      .flatMap((result) => result.problems)
      .map((p) => `${p.file}:${p.line}: ${p.problem}`);
    expect(problems).toEqual([]);
    // The patterns must actually find the repository's citations, or the check proves nothing.
    expect(results.reduce((sum, result) => sum + result.references, 0)).toBeGreaterThan(40);
  });

  it('catch a wrong citation', () => {
    const broken = referenceProblems({
      path: 'docs/example.md',
      text: [
        'See docs/contract.md §12 and [contract §5](contract.md#7-traffic-flows),',
        '[contract §5](../contract.md#5-edge-routes) and `contract.md#no-such-heading`.',
      ].join('\n'),
    });
    expect(broken.problems.map((p) => `${p.line}: ${p.problem}`).sort()).toEqual([
      '1: cites §12, which docs/contract.md does not have',
      '1: says §5 but links #7-traffic-flows (7. Traffic flows)',
      '2: links #no-such-heading, which is not a heading of docs/contract.md',
      '2: links ../contract.md, which is not docs/contract.md from docs/example.md',
    ]);
  });
});
