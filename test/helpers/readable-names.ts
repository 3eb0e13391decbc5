import { FILLER_WORDS } from '../../lib/cluster/phrases.js';
import { tokenize } from '../../lib/embed/tokenize.js';
import { NAME_LIMITS } from '../../lib/llm/offline-names.js';

const GREETINGS = new Set(['hi', 'hello', 'hey', 'dear', 'thanks', 'thank', 'regards', 'cheers']);

/** A sibling's number ("Office suite (2)"), added only when nothing else tells two apart. */
const withoutNumber = (name: string) => name.replace(/ \(\d+\)$/, '');

/** Why a cluster name would not read as a name a person would accept; empty when it does. */
export function nameProblems(name: string): string[] {
  const problems: string[] = [];
  const base = withoutNumber(name);
  const words = base.split(/\s+/).filter(Boolean);
  const lower = words.map((w) => w.toLowerCase().replace(/[^\p{L}\p{N}'-]/gu, ''));
  if (words.length < NAME_LIMITS.minWords) problems.push(`"${name}" is a lone word`);
  if (words.length > NAME_LIMITS.maxWords) problems.push(`"${name}" has ${words.length} words`);
  if (Array.from(base).length > NAME_LIMITS.maxChars)
    problems.push(`"${name}" is ${Array.from(base).length} characters long`);
  if (tokenize(base, { bigrams: false }).length === 0)
    problems.push(`"${name}" is made only of stop words`);
  if (lower.filter((w) => w !== 'and').every((w) => FILLER_WORDS.has(w)))
    problems.push(`"${name}" is made only of filler words`);
  if (lower.some((w) => GREETINGS.has(w))) problems.push(`"${name}" holds a greeting`);
  if (/,/.test(base)) problems.push(`"${name}" is a list of keywords, not a phrase`);
  if (/\p{L}['’]\p{L}/u.test(base) && !/['’]s\b/u.test(base))
    problems.push(`"${name}" holds a contraction`);
  return problems;
}

export interface NamedCluster {
  readonly level: number;
  readonly id: number;
  readonly name: string;
  readonly partition: string;
  readonly parent?: number | null;
  readonly children: readonly number[];
}

/** Problems of a whole hierarchy's names: each name, sibling duplicates, parents copying a child. */
export function hierarchyNameProblems(clusters: readonly NamedCluster[]): string[] {
  const problems = clusters.flatMap((c) =>
    nameProblems(c.name).map((p) => `level ${c.level}: ${p}`),
  );
  const seen = new Map<string, NamedCluster>();
  for (const cluster of clusters) {
    const key = `${cluster.level}\n${cluster.partition}\n${cluster.name.toLowerCase()}`;
    const twin = seen.get(key);
    if (twin) problems.push(`level ${cluster.level}: two siblings named "${cluster.name}"`);
    seen.set(key, cluster);
  }
  const byKey = new Map(clusters.map((c) => [`${c.level}:${c.id}`, c]));
  for (const parent of clusters) {
    for (const id of parent.children) {
      const child = byKey.get(`${parent.level - 1}:${id}`);
      if (child && child.name.toLowerCase() === parent.name.toLowerCase())
        problems.push(`level ${parent.level}: "${parent.name}" copies its child's name`);
    }
  }
  return problems;
}
