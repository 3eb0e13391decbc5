import { z } from 'zod';
import { PRIVACY_RATINGS } from '../config/privacy.js';
import type { LlmTask } from '../llm/types.js';
import { optionNumber, replyName, replyText } from './reply-text.js';

export interface AuditClusterInput {
  readonly name: string;
  readonly description: string;
}

export interface AuditClusterReply {
  /** 1 (says nothing about anyone) to 5 (identifies a person). */
  rating: number;
  reason: string;
  /** The name with every identifying detail generalized away; the same name when it has none. */
  safeName: string;
  safeDescription: string;
}

export const auditClusterReply = z.object({
  rating: optionNumber(PRIVACY_RATINGS.max),
  reason: replyText(300, 'the reason is empty'),
  safeName: replyName(),
  safeDescription: replyText(1000, 'the safe description is empty'),
});

/**
 * The privacy auditor: rates what an analyst would read about a cluster (its name and
 * description) on the Clio paper's 1–5 scale, and offers a generalized wording in the same reply,
 * so a cluster rated too high can be renamed without a second call.
 */
export const auditClusterTask: LlmTask<AuditClusterInput, AuditClusterReply> = {
  name: 'audit_cluster',
  kind: 'audit',
  version: 1,
  reply: auditClusterReply,
  tool: {
    name: 'audit_cluster',
    description:
      'Rate how much the cluster text could identify a person, and give a generalized wording.',
  },
  prompt({ name, description }) {
    return {
      system:
        'You check text that analysts will read about groups of user conversations, before it is ' +
        'shown. Rate how much it could reveal who any particular person or small group is:\n' +
        '1: only a general topic or task; nothing about who anyone is.\n' +
        '2: broad groups or common settings (a profession, a kind of business, a country).\n' +
        '3: specifics that narrow the group (a named organization, town, product account or ' +
        'unusual event) without pointing at one person.\n' +
        '4: details that together could single out a small group or a person.\n' +
        '5: identifies a person: a name, contact details, an account or case number.\n' +
        'Also rewrite the name and description so they keep the topic but drop every identifying ' +
        'detail (replace names, places, organizations and numbers with generic words). If there is ' +
        'nothing to drop, repeat them unchanged. Answer only in the requested format.',
      user: `Cluster name: ${name}\nDescription: ${description}`,
      maxTokens: 500,
    };
  },
};
