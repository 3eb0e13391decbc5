import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { ClusterNode } from '../../lib/cluster/types.js';
import { builtinFacets, countTurns, writtenText } from '../../lib/facets/builtin.js';
import { distributionCell, distributionOf } from '../../lib/facets/distribution.js';
import { assembleHierarchy } from '../../lib/output/assemble.js';
import { combinedCsv, levelCsv } from '../../lib/output/csv.js';
import { clusterSchema, itemSchema, type RunInfo } from '../../lib/output/hierarchy-schema.js';
import type { SummarizedItem } from '../../lib/pipeline/types.js';
import type { Item } from '../../lib/sources/types.js';

const item = (id: string, inputs: unknown, outputs?: unknown): Item => ({
  id,
  inputs,
  ...(outputs === undefined ? {} : { outputs }),
  metadata: {},
});

describe('built-in facets', () => {
  it('detects the language of short support messages, and says when it cannot', async () => {
    const facetsOf = await builtinFacets();
    const cases: [string, string][] = [
      ['en', 'My order has not arrived yet, can you check?'],
      ['fr', "Ma commande n'est pas encore arrivée"],
      ['de', 'Die App stürzt beim Öffnen der Einstellungen ab'],
      ['es', 'Quiero cancelar mi suscripción'],
      ['ja', '注文した商品がまだ届いていません'],
      ['ru', 'Приложение падает при открытии настроек'],
    ];
    for (const [language, text] of cases) {
      expect(facetsOf(item(language, { question: text })).language, text).toBe(language);
    }
    expect(facetsOf(item('n', { question: '42' })).language).toBe('und');
  });

  it('reads the words people wrote, not the keys or roles around them', async () => {
    const chat = item(
      'c',
      {
        messages: [
          { role: 'user', content: 'Bonjour, je ne peux pas me connecter à mon compte' },
          { role: 'assistant', content: 'Avez-vous essayé de réinitialiser votre mot de passe ?' },
          { role: 'user', content: 'Oui, plusieurs fois déjà' },
        ],
      },
      { output: { role: 'assistant', content: 'Je transmets votre demande au support.' } },
    );
    expect(writtenText(chat)).not.toMatch(/\b(role|user|assistant|messages)\b/);
    const facets = (await builtinFacets())(chat);
    expect(facets).toEqual({ language: 'fr', turns: 4, length: writtenText(chat).length });
  });

  it('counts inputs and outputs as a turn each when there are no chat messages', () => {
    expect(countTurns(item('q', { question: 'why?' }))).toBe(1);
    expect(countTurns(item('qa', { question: 'why?' }, { answer: 'because' }))).toBe(2);
    expect(countTurns(item('lc', { messages: [[{ type: 'human', content: 'hi' }]] }))).toBe(1);
  });
});

describe('facet distributions', () => {
  it('folds the long tail of a category into "other" for display', () => {
    const d = distributionOf(['en', 'en', 'en', 'en', 'en', 'fr', 'fr', 'de', 'es', 'it']);
    expect(d).toEqual({ kind: 'category', counts: { en: 5, fr: 2, de: 1, es: 1, it: 1 } });
    expect(distributionCell(d)).toBe('en 50%; fr 20%; de 10%; other 20%');
  });

  it('gives a scale its mean, quartiles and, for few whole values, counts', () => {
    const d = distributionOf([1, 2, 2, 3, 7, undefined]);
    expect(d).toEqual({
      kind: 'scale',
      n: 5,
      mean: 3,
      quartiles: [1, 2, 2, 3, 7],
      counts: { '2': 2, '1': 1, '3': 1, '7': 1 },
    });
    expect(distributionCell(d)).toBe(3);
    const long = distributionOf(Array.from({ length: 30 }, (_, i) => i * 10));
    expect(long).toMatchObject({ kind: 'scale', n: 30, mean: 145 });
    expect(long && 'counts' in long).toBe(false);
    expect(distributionOf([undefined])).toBeUndefined();
  });
});

describe('facets in the outputs', () => {
  const node = (level: number, id: number, itemIndices: number[], children: number[] = []) =>
    ({
      level,
      id,
      name: `L${level}C${id}`,
      description: 'd',
      partition: 'Default',
      children,
      itemIndices,
      centroid: new Float32Array(2),
      ...(level === 0 ? { parent: 0 } : {}),
    }) as ClusterNode;
  const summarized = (
    id: string,
    facets: Record<string, string | number> | undefined,
  ): SummarizedItem => ({
    item: item(id, { text: id }),
    summary: `summary ${id}`,
    partition: 'Default',
    ...(facets ? { facets } : {}),
  });
  const items = [
    summarized('a', { language: 'en', turns: 2, length: 10 }),
    summarized('b', { language: 'en', turns: 4, length: 30 }),
    summarized('c', { language: 'fr', turns: 1, length: 20 }),
  ];
  const levels = [[node(0, 0, [0, 1]), node(0, 1, [2])], [node(1, 0, [0, 1, 2], [0, 1])]];
  const run = { hierarchy: [2, 1], counts: {} } as unknown as RunInfo;

  it('writes facet_* columns per item and per cluster, and distributions in hierarchy.json', () => {
    const doc = assembleHierarchy(items, levels, run);
    const top = doc.clusters.find((c) => c.level === 1);
    expect(top?.facets?.language).toEqual({ kind: 'category', counts: { en: 2, fr: 1 } });
    expect(top?.facets?.length).toMatchObject({ kind: 'scale', n: 3, mean: 20 });
    const rows = parse(
      combinedCsv(doc, () => 'x'),
      { columns: true },
    ) as Record<string, string>[];
    expect(rows.map((r) => [r.facet_language, r.facet_turns, r.facet_length])).toEqual([
      ['en', '2', '10'],
      ['en', '4', '30'],
      ['fr', '1', '20'],
    ]);
    const base = parse(levelCsv(doc, 0), { columns: true }) as Record<string, string>[];
    expect(base.map((r) => [r.name, r.facet_language, r.facet_turns])).toEqual([
      ['L0C0', 'en 100%', '3'],
      ['L0C1', 'fr 100%', '1'],
    ]);
    const topRows = parse(levelCsv(doc, 1), { columns: true }) as Record<string, string>[];
    expect(topRows[0]?.facet_language).toBe('en 67%; fr 33%');
    // Clusters and items round-trip through the schema every reader uses.
    const json = JSON.parse(JSON.stringify(doc));
    expect(clusterSchema.array().parse(json.clusters)).toEqual(doc.clusters);
    expect(itemSchema.array().parse(json.items)).toEqual(doc.items);
  });

  it('leaves the columns out, and old documents readable, when items carry no facets', () => {
    const bare = items.map((s) => summarized(s.item.id, undefined));
    const doc = assembleHierarchy(bare, levels, run);
    expect(doc.items.every((i) => i.facets === undefined)).toBe(true);
    expect(doc.clusters.every((c) => c.facets === undefined)).toBe(true);
    const header = combinedCsv(doc, () => 'x')
      .toString()
      .split('\n')[0];
    expect(header).not.toContain('facet_');
    expect(levelCsv(doc, 0).split('\n')[0]).not.toContain('facet_');
  });
});
