export interface Turn {
  readonly role: string;
  readonly text: string;
}

/** `"role": "user", "content": "…"` (either order), the last string possibly cut short. */
const STRING = String.raw`"((?:[^"\\]|\\.)*)(?:"|$)`;
const TURN = new RegExp(
  String.raw`"(?:role|type)"\s*:\s*${STRING}\s*,\s*"(?:content|text)"\s*:\s*${STRING}|"(?:content|text)"\s*:\s*${STRING}\s*,\s*"(?:role|type)"\s*:\s*${STRING}`,
  'g',
);

const ROLES: Record<string, string> = {
  user: 'User',
  human: 'User',
  assistant: 'Assistant',
  ai: 'Assistant',
  system: 'System',
  tool: 'Tool',
  function: 'Tool',
};

function jsonString(raw: string): string {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    // Cut inside an escape sequence: drop the broken tail.
    return jsonString(raw.slice(0, -1));
  }
}

/**
 * The turns of a conversation in an item's preview (pretty-printed JSON, cut at a few hundred
 * characters, so it seldom parses as a whole). Fewer than two turns: not a conversation.
 */
export function transcriptOf(preview: string): Turn[] {
  const turns: Turn[] = [];
  for (const m of preview.matchAll(TURN)) {
    const [role, text] = m[1] !== undefined ? [m[1], m[2]] : [m[4], m[3]];
    if (role === undefined || text === undefined) continue;
    const name = jsonString(role).toLowerCase();
    turns.push({ role: ROLES[name] ?? jsonString(role), text: jsonString(text) });
  }
  return turns.length >= 2 ? turns : [];
}
