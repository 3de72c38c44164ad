import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { expect } from 'chai';
import { anchors, links } from './markdown.js';

// What a fresh clone holds: tracked files plus new ones not ignored (so a link to dist/, data/ or
// an ignored file fails here exactly as it would on GitHub).
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { encoding: 'utf8' })
  .split('\0')
  .filter((f) => f !== '');
const present = new Set(files);
const isDirectory = (path: string) => files.some((f) => f.startsWith(`${path}/`));
const markdownFiles = files.filter((f) => f.endsWith('.md'));

const anchorCache = new Map<string, Set<string>>();
const anchorsOf = (file: string): Set<string> => {
  let found = anchorCache.get(file);
  if (!found) {
    found = anchors(readFileSync(file, 'utf8'));
    anchorCache.set(file, found);
  }
  return found;
};

/** Why a link from `from` is broken, or null when it resolves. */
function brokenBecause(from: string, target: string): string | null {
  if (/^https?:\/\//i.test(target)) return null;
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return 'only http(s) links may leave the repository';
  if (target.startsWith('/')) return 'an absolute path is not inside the repository';
  const [rawPath = '', fragment] = target.split('#', 2);
  let path: string;
  try {
    path = decodeURIComponent(rawPath.split('?')[0] ?? '');
  } catch {
    return 'the path is not valid percent-encoding';
  }
  const resolved = path === '' ? from : posix.normalize(posix.join(posix.dirname(from), path)).replace(/\/$/, '');
  if (resolved === '..' || resolved.startsWith('../')) return 'it points outside the repository';
  if (!present.has(resolved) && !isDirectory(resolved)) return `${resolved} is not in the repository`;
  if (fragment === undefined) return null;
  if (!resolved.endsWith('.md')) return `a #fragment can be checked only in Markdown, not in ${resolved}`;
  return anchorsOf(resolved).has(decodeURIComponent(fragment)) ? null : `${resolved} has no heading #${fragment}`;
}

describe('Markdown links', () => {
  it('finds the Markdown files to check', () => {
    expect(markdownFiles).to.include.members(['README.md', 'docs/README.md']);
  });

  for (const file of markdownFiles) {
    it(`${file}: every link resolves inside the repository, or is an http(s) URL`, () => {
      const broken = links(readFileSync(file, 'utf8'))
        .map(({ target, line }) => ({ line, target, why: brokenBecause(file, target) }))
        .filter((link) => link.why !== null)
        .map(({ line, target, why }) => `${file}:${line} (${target}): ${why}`);
      expect(broken, broken.join('\n')).to.deep.equal([]);
    });
  }
});

describe('Markdown links: the rules themselves', () => {
  it('GitHub heading slugs: code, punctuation and repeats', () => {
    const found = anchors(['# Run it', '## `invalid_state` from a host mismatch', '## Run it', '### 503, 429 and *Retry-After*', '```sh', '# not a heading', '```'].join('\n'));
    expect([...found]).to.deep.equal(['run-it', 'invalid_state-from-a-host-mismatch', 'run-it-1', '503-429-and-retry-after']);
  });

  it('links in code are not links; images, titles and reference definitions are', () => {
    const found = links(['see `[x](nowhere.md)` and', '```', '[y](nowhere.md)', '```', '![a](docs/a.png "A") [b](<b c.md>)', '[ref]: docs/ref.md'].join('\n'));
    expect(found.map((l) => l.target)).to.deep.equal(['docs/a.png', 'b c.md', 'docs/ref.md']);
  });

  it('refuses a link outside the repository, an absolute path and another scheme', () => {
    expect(brokenBecause('README.md', '../shared/API.md')).to.equal('it points outside the repository');
    expect(brokenBecause('docs/README.md', '/work/shared/API.md')).to.equal('an absolute path is not inside the repository');
    expect(brokenBecause('README.md', 'file:///etc/passwd')).to.equal('only http(s) links may leave the repository');
    expect(brokenBecause('README.md', 'https://github.com/')).to.equal(null);
  });
});
