/**
 * Offline naming cost on the demo's 1500 conversations, grouped by their 12 labels: the keyword
 * names the offline provider used to give beside the phrase names (part-of-speech tagging with
 * wink-nlp), cold (the tagger's model read first) and warm (texts already tagged, as upper levels
 * find them). Prints wall and CPU time beside the goal.
 *
 *   npm run bench -- naming
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { distinctivePhrases, distinctiveTerms } from '../lib/cluster/keywords.js';
import { nameFromPhrases } from '../lib/llm/offline-names.js';
import { cleanText, itemText, substantiveText, truncateWords } from '../lib/llm/offline-text.js';

/** The demo names 3 levels in a few hundred milliseconds of CPU, tagger included. */
const GOAL_MS = 500;

const root = resolve(import.meta.dirname, '..');

async function demoClusters(): Promise<string[][]> {
  const lines = (await readFile(join(root, 'configs/demo-data/support.jsonl'), 'utf8'))
    .split('\n')
    .filter(Boolean);
  const byLabel = new Map<string, string[]>();
  for (const line of lines) {
    const item = JSON.parse(line) as { inputs: unknown; label: string };
    const summary = truncateWords(cleanText(substantiveText(itemText([item.inputs]))), 40);
    byLabel.set(item.label, [...(byLabel.get(item.label) ?? []), summary]);
  }
  return [...byLabel.values()];
}

async function timed<T>(run: () => Promise<T> | T) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = await run();
  const used = process.cpuUsage(cpu);
  return { value, wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
}

export async function runNamingBench() {
  const clusters = await demoClusters();
  const keywords = await timed(() =>
    distinctiveTerms(clusters).map((terms) => terms.slice(0, 3).join(', ')),
  );
  const phrases = async () =>
    (await distinctivePhrases(clusters)).map(
      (terms) =>
        nameFromPhrases(
          terms.map((t) => t.term),
          { keywordShares: terms.map((t) => t.share) },
        ) ?? '',
    );
  const cold = await timed(phrases);
  const warm = await timed(phrases);
  const row = (label: string, t: { wallMs: number; cpuMs: number }) =>
    `  ${label.padEnd(34)} ${t.wallMs.toFixed(0).padStart(6)} ms wall ${t.cpuMs.toFixed(0).padStart(6)} ms CPU`;
  console.log(
    `naming ${clusters.reduce((n, c) => n + c.length, 0)} demo texts in ${clusters.length} clusters (goal: phrase names, cold, < ${GOAL_MS} ms CPU)`,
  );
  console.log(row('keyword names (before)', keywords));
  console.log(row('phrase names, cold (model load)', cold));
  console.log(row('phrase names, warm (texts tagged)', warm));
  for (const [i, name] of cold.value.entries())
    console.log(`    ${(keywords.value[i] ?? '').padEnd(40)} → ${name}`);
  return { keywords, cold, warm };
}
