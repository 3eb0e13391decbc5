/**
 * Generates the bundled demo dataset `configs/demo-data/support.jsonl`: ~1,500 customer-support
 * conversations for "Orbitask", a fictional project-management SaaS, each with a ground-truth
 * category in `label`.
 *
 * Why synthetic: a demo must ship with the repository, run offline and carry no personal data or
 * third-party licence, so every conversation is assembled here from templates and vocabulary in
 * `scripts/demo-data/` (invented product, tool and workspace names; only `@example.com` addresses).
 *
 * How it is made hard (so a naive method does not score perfectly):
 * - shared vocabulary across categories: invoices in export questions, login in mobile and
 *   performance tickets, API tokens in integration tickets, refunds for outages, and so on;
 * - background sentences from a common pool ("we log in through SSO", "finance gets the
 *   invoices") and occasional asides that raise a second, unrelated topic;
 * - varied shape and tone: one-line messages, longer emails, multi-turn chats with agent replies,
 *   vague first messages where the actual request only comes after the agent asks;
 * - sloppy writing: lowercase, missing apostrophes and occasional typos;
 * - uneven category sizes (60 to 230).
 *
 * Deterministic: a seeded mulberry32 generator, so every run writes the same file.
 * Run: `npm run demo:data` (or `node --import tsx scripts/make-demo-data.ts`).
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CATEGORIES_A } from './demo-data/categories-a.js';
import { CATEGORIES_B } from './demo-data/categories-b.js';
import { chance, mulberry32, pick, type Rng, shuffle, weighted } from './demo-data/rng.js';
import type { Category, Intent, Plan } from './demo-data/types.js';
import {
  AGENT_FIRST,
  AGENT_RESOLUTION,
  ASIDE_INTROS,
  CLOSERS,
  CONTEXT,
  EMAIL_SIGNERS,
  EMAIL_SIGNOFFS,
  FIX_CLOSINGS,
  FRUSTRATION,
  GREETINGS,
  NEUTRAL_CLOSINGS,
  RARE_NAMES,
  REQUEST_RESOLUTION,
  SLOTS,
  type Tone,
  VAGUE_AGENT,
  VAGUE_OPENERS,
  WRAP_UP,
} from './demo-data/vocab.js';

const SEED = 20_240_611;
const OUTPUT = fileURLToPath(new URL('../configs/demo-data/support.jsonl', import.meta.url));
const CATEGORIES: readonly Category[] = [...CATEGORIES_A, ...CATEGORIES_B];
/** Requests rather than malfunctions: the customer never says "still not working". */
const REQUESTS = new Set(['billing', 'refunds', 'feature-request', 'security-privacy']);

type Channel = 'chat' | 'email' | 'in-app';
interface Message {
  role: 'user' | 'assistant';
  content: string;
}
export interface Row {
  id: string;
  inputs: { messages: Message[] };
  metadata: { channel: Channel; plan: Plan };
  label: string;
}

/** Expands `[a|b|c]` choices, then `{slot}` placeholders. */
function fill(rng: Rng, template: string): string {
  let text = template;
  for (let pass = 0; pass < 3; pass++) {
    const next = text
      .replace(/\[([^[\]]*\|[^[\]]*)\]/g, (_m, options: string) => pick(rng, options.split('|')))
      .replace(/\{(\w+)\}/g, (match, name: string) => {
        const values = SLOTS[name];
        return values ? pick(rng, values) : match;
      });
    if (next === text) break;
    text = next;
  }
  return text;
}

/** One or two typos: swapped, dropped or doubled letters in longer words. */
function addTypos(rng: Rng, text: string): string {
  const words = text.split(' ');
  const candidates = words.flatMap((w, i) => (/^[a-z]{5,}$/i.test(w) ? [i] : []));
  const count = chance(rng, 0.35) ? 2 : 1;
  for (let k = 0; k < count && candidates.length > 0; k++) {
    const index = pick(rng, candidates);
    const w = words[index] as string;
    const i = 1 + Math.floor(rng() * (w.length - 2));
    const kind = rng();
    if (kind < 0.4) words[index] = w.slice(0, i) + w.charAt(i + 1) + w.charAt(i) + w.slice(i + 2);
    else if (kind < 0.75) words[index] = w.slice(0, i) + w.slice(i + 1);
    else words[index] = w.slice(0, i) + w.charAt(i) + w.slice(i);
  }
  return words.join(' ');
}

/** Lowercase, no apostrophes, no final full stop. */
function sloppy(text: string): string {
  return text.toLowerCase().replace(/'/g, '').replace(/\.$/, '');
}

interface Writer {
  tone: Tone;
  sloppy: boolean;
  typoRate: number;
}

function style(rng: Rng, writer: Writer, text: string): string {
  let out = text;
  if (writer.sloppy) out = sloppy(out);
  if (chance(rng, writer.typoRate)) out = addTypos(rng, out);
  return out;
}

function joinParts(parts: readonly string[]): string {
  return parts.filter((p) => p.length > 0).join(' ');
}

function aside(rng: Rng, own: Category): string {
  const other = pick(
    rng,
    CATEGORIES.filter((c) => c.label !== own.label),
  );
  return `${pick(rng, ASIDE_INTROS)} ${fill(rng, pick(rng, other.short))}`;
}

/** The customer's main statement of the problem, without greeting or sign-off. */
function body(rng: Rng, cat: Category, intent: Intent, writer: Writer, long: boolean): string {
  const parts: string[] = [];
  if (writer.tone === 'frustrated' && chance(rng, 0.6)) parts.push(pick(rng, FRUSTRATION));
  if (chance(rng, long ? 0.45 : 0.2)) parts.push(fill(rng, pick(rng, CONTEXT)));
  parts.push(fill(rng, pick(rng, intent.openers)));
  const details = shuffle(rng, [...intent.details]);
  if (details[0] && chance(rng, long ? 0.7 : 0.35)) parts.push(fill(rng, details[0]));
  if (details[1] && long && chance(rng, 0.35)) parts.push(fill(rng, details[1]));
  if (chance(rng, 0.08)) parts.push(aside(rng, cat));
  return joinParts(parts);
}

function wrap(rng: Rng, channel: Channel, writer: Writer, text: string): string {
  if (channel === 'email') {
    const signer = chance(rng, 0.06) ? pick(rng, RARE_NAMES) : pick(rng, EMAIL_SIGNERS);
    const greeting = pick(rng, GREETINGS[writer.tone]) || 'Hello,';
    const closer = pick(rng, CLOSERS[writer.tone]);
    return `${greeting}\n\n${joinParts([text, closer])}\n\n${pick(rng, EMAIL_SIGNOFFS)}\n${signer}`;
  }
  const greeting = channel === 'chat' ? pick(rng, GREETINGS[writer.tone]) : '';
  const closer = chance(rng, channel === 'chat' ? 0.5 : 0.2) ? pick(rng, CLOSERS[writer.tone]) : '';
  return joinParts([greeting, text, closer]);
}

function conversation(rng: Rng, cat: Category, channel: Channel): Message[] {
  const tone = weighted<Tone>(rng, {
    polite: 4,
    neutral: 3,
    casual: 2,
    frustrated: 1.5,
    terse: 1.5,
  });
  const writer: Writer = {
    tone,
    sloppy: (tone === 'casual' || tone === 'terse') && chance(rng, 0.5),
    typoRate: tone === 'casual' || tone === 'frustrated' ? 0.3 : 0.1,
  };
  const intent = pick(rng, cat.intents);
  const user = (text: string): Message => ({ role: 'user', content: style(rng, writer, text) });
  const agent = (text: string): Message => ({ role: 'assistant', content: fill(rng, text) });

  const shape = weighted(rng, { short: 15, single: 35, multi: 50 });
  if (shape === 'short') return [user(fill(rng, pick(rng, cat.short)))];
  if (shape === 'single') {
    return [user(wrap(rng, channel, writer, body(rng, cat, intent, writer, channel === 'email')))];
  }

  const messages: Message[] = [];
  if (chance(rng, 0.15)) {
    messages.push(user(pick(rng, VAGUE_OPENERS)), agent(pick(rng, VAGUE_AGENT)));
    messages.push(user(body(rng, cat, intent, writer, false)));
  } else {
    messages.push(user(wrap(rng, channel, writer, body(rng, cat, intent, writer, false))));
  }
  const request = REQUESTS.has(cat.label);
  let followup = pick(rng, intent.followups);
  if (chance(rng, 0.65)) {
    messages.push(agent(pick(rng, cat.agent)));
  } else {
    const question = pick(
      rng,
      AGENT_FIRST.filter((q) => !(request && q.problemOnly)),
    );
    messages.push(agent(question.ask));
    if (chance(rng, 0.6)) followup = pick(rng, question.answers);
  }
  if (chance(rng, 0.12)) return messages;
  const extra = chance(rng, 0.3) ? pick(rng, intent.details) : '';
  messages.push(user(joinParts([fill(rng, followup), extra === followup ? '' : fill(rng, extra)])));
  if (chance(rng, 0.45)) return messages;
  const resolutions = request ? REQUEST_RESOLUTION : AGENT_RESOLUTION;
  messages.push(agent(pick(rng, chance(rng, 0.7) ? resolutions : cat.agent)));
  const closing = pick(rng, request || chance(rng, 0.5) ? NEUTRAL_CLOSINGS : FIX_CLOSINGS);
  messages.push(user(joinParts([closing, chance(rng, 0.1) ? aside(rng, cat) : ''])));
  if (chance(rng, 0.25)) {
    const unresolved = /still|same problem/i.test(closing);
    messages.push(
      agent(pick(rng, unresolved ? WRAP_UP.unresolved : WRAP_UP.resolved)),
      user(pick(rng, unresolved ? WRAP_UP.unresolvedReply : WRAP_UP.resolvedReply)),
    );
  }
  return messages;
}

function wordCount(messages: readonly Message[]): number {
  return messages.reduce((sum, m) => sum + m.content.split(/\s+/).filter(Boolean).length, 0);
}

/**
 * One demo set (~1,500 conversations) from `seed`; the bundled file is the one of `SEED`.
 * Other seeds give more conversations of the same kind, for benchmarks at scale.
 */
export function makeConversations(seed = SEED, idPrefix = 'conv-'): Row[] {
  const rng = mulberry32(seed);
  const drafts: Omit<Row, 'id'>[] = [];
  for (const cat of CATEGORIES) {
    for (let i = 0; i < cat.count; i++) {
      const channel = weighted<Channel>(rng, { chat: 5, email: 3, 'in-app': 2 });
      const plan = weighted<Plan>(rng, cat.plans);
      const messages = conversation(rng, cat, channel);
      drafts.push({ inputs: { messages }, metadata: { channel, plan }, label: cat.label });
    }
  }
  return shuffle(rng, drafts).map((d, i) => ({
    id: `${idPrefix}${String(i + 1).padStart(4, '0')}`,
    ...d,
  }));
}

function main(): void {
  const rows = makeConversations();

  mkdirSync(dirname(OUTPUT), { recursive: true });
  writeFileSync(OUTPUT, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);

  const lengths = rows.map((r) => wordCount(r.inputs.messages));
  const byLabel = new Map<string, number[]>();
  rows.forEach((r, i) => {
    byLabel.set(r.label, [...(byLabel.get(r.label) ?? []), lengths[i] ?? 0]);
  });
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(`wrote ${rows.length} conversations to ${OUTPUT}`);
  console.log(`size: ${(statSync(OUTPUT).size / 1024).toFixed(0)} KiB`);
  console.log('label                 count  mean words');
  for (const [label, ls] of [...byLabel].sort((a, b) => b[1].length - a[1].length)) {
    console.log(`${label.padEnd(20)} ${String(ls.length).padStart(6)}  ${mean(ls).toFixed(1)}`);
  }
  const turns = rows.map((r) => r.inputs.messages.length);
  console.log(
    `length in words: mean ${mean(lengths).toFixed(1)}, min ${Math.min(...lengths)}, max ${Math.max(...lengths)}`,
  );
  console.log(
    `messages per conversation: mean ${mean(turns).toFixed(2)}, single-message ${turns.filter((t) => t === 1).length}, max ${Math.max(...turns)}`,
  );
  const firsts = new Set(rows.map((r) => r.inputs.messages[0]?.content));
  console.log(`distinct first messages: ${firsts.size}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
