import { describe, expect, it } from 'vitest';
import { distinguishNames, nameLevel } from '../../lib/cluster/naming.js';
import { nounPhrases, phraseTagger } from '../../lib/cluster/phrases.js';
import type { ClusterNode, Level } from '../../lib/cluster/types.js';
import { meanVector } from '../../lib/cluster/vectors.js';
import { OfflineLlm } from '../../lib/llm/offline.js';
import { nameFromPhrases } from '../../lib/llm/offline-names.js';
import { nameClusterTask } from '../../lib/prompts/naming.js';
import { hierarchyNameProblems, nameProblems } from '../helpers/readable-names.js';

/** Support messages in the shape the demo has: greetings and sign-offs around the request. */
const THEMES: Record<string, string[]> = {
  billing: [
    'Hi team, my invoice shows a double charge this month. Thanks, Sam',
    'Hello, we were charged twice on the last invoice and need a refund.',
    'Hi there, can you refund the double charge on our invoice?',
    'The invoice has a double charge, please refund one of them. Regards, Ana',
    'Hey, double charge on the annual invoice again, refund please.',
    'Hi team, our card got a double charge; the invoice total is wrong.',
  ],
  login: [
    'Hi team, the password reset link expired before I could use it. Thanks!',
    'Hello, password reset emails never arrive, so I cannot sign in.',
    'Hi, after the password reset the sign-in page loops back to the login screen.',
    'The password reset link says invalid token. Cheers, Bo',
    'Hey, I requested a password reset three times and got no link.',
    'Hi team, password reset works but the sign-in page rejects the new password.',
  ],
  mobile: [
    'Hi team, the iPad app crashes when I open a project. Thanks',
    'Hello, the iPad app crashes on launch since the update.',
    'The iPad app crashes whenever I attach a photo.',
    'Hi, dark mode on the iPad app makes the text unreadable.',
    'Hey team, the iPad app crashes after sync. Regards, Kim',
    'Hi there, iPad app crashes when switching boards.',
  ],
};

function levelOf(groups: readonly string[][], level = 0, children: number[][] = []): Level {
  let next = 0;
  const texts = groups.flat();
  // One axis per group: members of a group are close to each other and far from the rest.
  const vectors = groups.flatMap((g, gi) =>
    g.map((_, i) => {
      const v = new Float32Array(groups.length + 1);
      v[gi] = 1;
      v[groups.length] = 0.01 * i;
      return v;
    }),
  );
  const clusters = groups.map((g, id): ClusterNode => {
    const itemIndices = g.map(() => next++);
    return {
      level,
      id,
      name: '',
      description: '',
      partition: 'Default',
      children: children[id] ?? [],
      itemIndices,
      centroid: meanVector(vectors, itemIndices),
    };
  });
  return Object.assign(clusters, { texts, vectors });
}

async function named(level: Level & { texts?: string[]; vectors?: Float32Array[] }, below?: Level) {
  const { texts = [], vectors = [] } = level as { texts?: string[]; vectors?: Float32Array[] };
  await nameLevel(level, texts, vectors, { llm: new OfflineLlm(), concurrency: 2 }, below);
  return level.map((c) => c.name);
}

describe('noun phrases', () => {
  it('leave out greetings, their addressee, sign-offs and verbs', async () => {
    const nlp = await phraseTagger();
    const keys = nounPhrases(nlp, 'Hi team, my invoices show a double charge. Thanks, Sam').map(
      (p) => p.key,
    );
    expect(keys).toEqual(expect.arrayContaining(['invoice', 'double charge']));
    for (const word of ['hi', 'team', 'thanks', 'show'])
      expect(keys.some((k) => k.split(' ').includes(word))).toBe(false);
  });

  it('leave out contractions the tagger keeps whole, with either apostrophe', async () => {
    const nlp = await phraseTagger();
    for (const text of ["Error when I'm saving the report", 'Notifications I’m not getting']) {
      const keys = nounPhrases(nlp, text).map((p) => p.key);
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.filter((k) => /['’]/.test(k))).toEqual([]);
    }
  });
});

describe('offline names', () => {
  it('are short noun phrases from the top phrases, not keyword lists', () => {
    expect(nameFromPhrases(['password reset', 'sign-in'])).toBe('Password reset and sign-in');
    expect(nameFromPhrases(['SSO sign-in', 'SAML sign-in'])).toBe('SSO and SAML sign-in');
    expect(nameFromPhrases(['iPad app', 'crashes'])).toBe('iPad app and crashes');
  });

  it('are never a lone word, and skip a second phrase few members share', () => {
    expect(nameFromPhrases(['SSO'])).toBeUndefined();
    // "comment" is used by a tenth as many members as "webhooks": the longer phrase says more.
    expect(
      nameFromPhrases(['webhooks', 'comment', 'webhook delivery log'], {
        keywordShares: [0.6, 0.06, 0.3],
      }),
    ).toBe('Webhook delivery log');
  });

  it('avoid the names they are told to (a parent never copies its child)', () => {
    const avoid = ['Password reset and sign-in'];
    expect(nameFromPhrases(['password reset', 'sign-in'], { avoid })).toBe('Password reset');
  });

  it('say in the description that no model wrote them', async () => {
    const { value } = await new OfflineLlm().run(nameClusterTask, {
      members: ['Refund a double charge on an invoice'],
      contrast: [],
      keywords: ['refund', 'double charge', 'invoice'],
    });
    expect(value.name).toBe('Refund and double charge');
    expect(value.description).toMatch(
      /^Offline name from distinctive terms: refund, double charge/,
    );
    expect(nameProblems(value.name)).toEqual([]);
  });

  it('name each theme of a level readably, greetings notwithstanding', async () => {
    const level = levelOf(Object.values(THEMES));
    const names = await named(level);
    expect(hierarchyNameProblems(level)).toEqual([]);
    expect(names[0]).toMatch(/double charge|invoice|refund/i);
    expect(names[1]).toMatch(/password reset/i);
    expect(names[2]).toMatch(/iPad app/);
  });

  it('give siblings with the same themes distinct names, and a single-child parent its own', async () => {
    const twins = [THEMES.billing ?? [], THEMES.billing ?? [], THEMES.login ?? []];
    const base = levelOf(twins);
    await named(base);
    expect(new Set(base.map((c) => c.name)).size).toBe(3);

    const children = levelOf(Object.values(THEMES));
    await named(children);
    // The first parent holds only the billing cluster: its name must not copy the child's.
    const parents = levelOf(
      [THEMES.billing ?? [], [...(THEMES.login ?? []), ...(THEMES.mobile ?? [])]],
      1,
      [[0], [1, 2]],
    );
    await named(parents, children);
    expect(hierarchyNameProblems([...children, ...parents])).toEqual([]);
  });
});

describe('distinguishNames', () => {
  it('qualifies alike siblings with their own next phrase, or numbers them', () => {
    const level = levelOf([['a'], ['b'], ['c']]);
    for (const c of level) c.name = 'Office productivity suite';
    distinguishNames(level, [['office productivity suite', 'Latvian'], ['Thai'], []]);
    expect(level.map((c) => c.name)).toEqual([
      'Office productivity suite (Latvian)',
      'Office productivity suite (Thai)',
      'Office productivity suite (3)',
    ]);
  });
});

describe('the readability check', () => {
  it('rejects the keyword names offline runs used to give', () => {
    for (const name of [
      'Hi, team, charged',
      'Password, log, log says',
      'Sso',
      'The and of',
      "Error and I'm",
    ])
      expect(nameProblems(name)).not.toEqual([]);
    expect(nameProblems('Kazakh spelling dictionaries')).toEqual([]);
  });
});
