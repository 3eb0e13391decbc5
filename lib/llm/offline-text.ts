/**
 * Text helpers of the offline provider: getting the words that matter out of the values a
 * summary template inserted, without a model.
 */

const USER_ROLES = new Set(['user', 'human', 'customer']);
const SKIPPED_KEYS = new Set(['id', 'role', 'type', 'name', 'tool_call_id', 'timestamp']);

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map(contentText).filter(Boolean).join(' ');
  if (content && typeof content === 'object' && 'text' in content) {
    return contentText((content as { text: unknown }).text);
  }
  return '';
}

function roleOf(message: Record<string, unknown>): string {
  return String(message.role ?? message.type ?? '').toLowerCase();
}

/** Messages of a chat transcript anywhere in the value (a `messages` array or an array of them). */
function findMessages(value: unknown, depth = 0): Record<string, unknown>[] {
  if (depth > 4 || value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) {
    const messages = value.filter(
      (v): v is Record<string, unknown> =>
        v !== null && typeof v === 'object' && 'content' in v && ('role' in v || 'type' in v),
    );
    if (messages.length > 0) return messages;
    return value.flatMap((v) => findMessages(v, depth + 1));
  }
  return Object.values(value).flatMap((v) => findMessages(v, depth + 1));
}

function stringLeaves(value: unknown, out: string[], depth = 0): void {
  if (depth > 6 || value === null || value === undefined) return;
  if (typeof value === 'string') out.push(value);
  else if (typeof value === 'number' || typeof value === 'boolean') return;
  else if (Array.isArray(value)) for (const v of value) stringLeaves(v, out, depth + 1);
  else if (typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (!SKIPPED_KEYS.has(key)) stringLeaves(v, out, depth + 1);
    }
  }
}

/**
 * The text an item is about: what the user said when the data holds a conversation (an
 * assistant's replies mostly repeat or answer it), otherwise every string in the inserted values.
 */
export function itemText(values: readonly unknown[]): string {
  const messages = values.flatMap((v) => findMessages(v));
  const userTurns = messages
    .filter((m) => USER_ROLES.has(roleOf(m)))
    .map((m) => contentText(m.content));
  if (userTurns.some((t) => t.trim())) return userTurns.join('\n');
  const leaves: string[] = [];
  for (const value of values) stringLeaves(value, leaves);
  return leaves.join('\n');
}

// Openers, thanks and sign-offs carry no topic; kept, they dominate every cluster's keywords.
const PLEASANTRY =
  /^(hi|hello|hey|dear|good (morning|afternoon|evening)|thanks?|thank you|thx|ty|cheers|best|regards|kind regards|best regards|sincerely|ok|okay|great|perfect|sure|got it|that'?s (it|all)|please advise|any help( is)? appreciated|sorry)\b/i;

const SIGN_OFF =
  /^(thanks?|thank you|thx|cheers|best|regards|kind regards|best regards|sincerely)\b/i;

/** True for a sentence that is only a greeting, thanks or sign-off (possibly with a name). */
export function isPleasantry(sentence: string): boolean {
  const words = sentence.split(/\s+/).filter(Boolean);
  return words.length <= 4 && PLEASANTRY.test(sentence.trim());
}

/** The sentences of the text that say something, in order; all of it when none do. */
export function substantiveText(text: string): string {
  const sentences = text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .filter(Boolean);
  const kept: string[] = [];
  let afterSignOff = false;
  for (const sentence of sentences) {
    const words = sentence.split(/\s+/).length;
    if (isPleasantry(sentence)) {
      afterSignOff = SIGN_OFF.test(sentence);
      continue;
    }
    // The short lines under "Best," or "Thanks," are a signature: a name or a team.
    if (afterSignOff && words <= 3) continue;
    afterSignOff = false;
    if (/\p{L}{2,}/u.test(sentence)) kept.push(sentence);
  }
  return (kept.length > 0 ? kept : sentences).join(' ');
}

export function cleanText(text: string): string {
  return text
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/[*_#>`|]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Up to `maxWords` words, cut at a sentence end when one falls in the last two thirds. */
export function truncateWords(text: string, maxWords: number): string {
  const words = text.split(' ');
  if (words.length <= maxWords) return text;
  const head = words.slice(0, maxWords).join(' ');
  const sentenceEnd = Math.max(
    head.lastIndexOf('. '),
    head.lastIndexOf('? '),
    head.lastIndexOf('! '),
  );
  if (sentenceEnd > head.length / 3) return head.slice(0, sentenceEnd + 1);
  return `${head}…`;
}
