import { describe, expect, it } from 'vitest';
import {
  MAX_CATEGORY_VALUES,
  type VizCluster,
  type VizClusterFacets,
  type VizFacetColumn,
} from '../../lib/viz/format.js';
import { prepareVizData, vizFile, vizFilePaths } from '../../lib/viz/prepare.js';
import { facetColouring, NO_VALUE, RAMP } from '../../viewer/src/facet-colours.js';
import {
  describeFacetFilter,
  FacetMatches,
  facetTest,
  formatFacetFilter,
  measureOf,
  parseFacetFilter,
  parseFacetMeasure,
  rankByMeasure,
} from '../../viewer/src/facets.js';
import { syntheticHierarchy } from '../e2e/synthetic.js';
import { withQuestionFacets } from '../helpers/facet-run.js';

const plain = syntheticHierarchy({ items: 2_345, hierarchy: [30, 8, 3], previewChars: 40 });
const doc = withQuestionFacets(plain);
const data = prepareVizData(doc, { chunkSize: 100, searchShardSize: 1000 });
const facets = data.index.facets ?? [];
const clusterFacets = JSON.parse(String(vizFile(data, 'facets/clusters.json'))) as VizClusterFacets;
const facetsOf = (c: VizCluster) => clusterFacets.clusters[`${c.level}.${c.id}`];
const column = (name: string) => {
  const k = facets.findIndex((f) => f.name === name);
  return JSON.parse(String(vizFile(data, `facets/${k}.json`))) as VizFacetColumn;
};

describe('facets in the explorer format', () => {
  it('describes each facet from the values the items gave', () => {
    const counts = new Map<string, number>();
    for (const item of doc.items) {
      const mood = String(item.facets?.mood);
      counts.set(mood, (counts.get(mood) ?? 0) + 1);
    }
    const byFrequency = [...counts].sort((a, b) => b[1] - a[1]).map(([v]) => v);
    expect(facets).toEqual([
      { name: 'mood', kind: 'category', values: byFrequency },
      { name: 'frustration', kind: 'scale', min: 1, max: 5 },
    ]);
  });

  it("serves each facet's value per item in member order, compactly", () => {
    const mood = column('mood');
    const frustration = column('frustration');
    const values = facets[0]?.kind === 'category' ? facets[0].values : [];
    expect(mood.values).toHaveLength(data.items.length);
    data.items.forEach((item, p) => {
      expect(values[mood.values[p] as number]).toBe(item.facets?.mood);
      expect(frustration.values[p]).toBe(item.facets?.frustration ?? null);
    });
    // Small integer codes: about two bytes an item, so 100k items stay near 200 KB a facet.
    expect(String(vizFile(data, 'facets/0.json')).length).toBeLessThan(2.2 * doc.items.length);
    expect(vizFilePaths(data)).toEqual(expect.arrayContaining(['facets/0.json', 'facets/1.json']));
    expect(vizFile(data, 'facets/2.json')).toBeUndefined();
  });

  it("serves each cluster's distributions from hierarchy.json apart from the index", () => {
    for (const c of data.index.clusters) {
      const record = doc.clusters.find((r) => r.level === c.level && r.id === c.id);
      expect(facetsOf(c)).toEqual(record?.facets);
    }
    expect(vizFilePaths(data)).toContain('facets/clusters.json');
    // The first screen pays only for the facets' names and values.
    const plainIndex = String(vizFile(prepareVizData(plain), 'index.json'));
    const facetIndex = String(vizFile(prepareVizData(doc), 'index.json'));
    expect(facetIndex.length - plainIndex.length).toBeLessThan(300);
  });

  it('lists at most MAX_CATEGORY_VALUES values of a free-text category, coding the rest -1', () => {
    const chatty = {
      ...plain,
      items: plain.items.map((item, i) => ({ ...item, facets: { topic: `t${i % 250}` } })),
    };
    const prepared = prepareVizData(chatty, { chunkSize: 100, searchShardSize: 1000 });
    const [topic] = prepared.index.facets ?? [];
    if (topic?.kind !== 'category') throw new Error('topic is not a category');
    expect(topic.values).toHaveLength(MAX_CATEGORY_VALUES);
    expect(topic.more).toBe(250 - MAX_CATEGORY_VALUES);
    const codes = (JSON.parse(String(vizFile(prepared, 'facets/0.json'))) as VizFacetColumn).values;
    prepared.items.forEach((item, p) => {
      const code = codes[p] as number;
      expect(code < 0 ? undefined : topic.values[code]).toBe(
        topic.values.includes(String(item.facets?.topic)) ? item.facets?.topic : undefined,
      );
    });
  });

  it('leaves runs made before facets without any', () => {
    const old = prepareVizData(plain, { chunkSize: 100, searchShardSize: 1000 });
    expect(old.index.facets).toBeUndefined();
    expect(vizFile(old, 'facets/clusters.json')).toBeUndefined();
    expect(vizFilePaths(old).some((p) => p.startsWith('facets/'))).toBe(false);
    expect(vizFile(old, 'facets/0.json')).toBeUndefined();
  });
});

describe('the facet filter', () => {
  it('reads and writes the link forms', () => {
    for (const text of ['mood=calm', 'frustration=2..4', 'frustration=3..', 'frustration=..2']) {
      const filter = parseFacetFilter(text);
      expect(filter && formatFacetFilter(filter)).toBe(text);
    }
    expect(parseFacetFilter('frustration=2..4')).toEqual({ facet: 'frustration', min: 2, max: 4 });
    expect(parseFacetFilter('mood=a=b')).toEqual({ facet: 'mood', value: 'a=b' });
    expect(describeFacetFilter({ facet: 'frustration', min: 3 })).toBe('frustration at least 3');
    for (const bad of [undefined, 'mood', '=calm', 'mood=']) {
      expect(parseFacetFilter(bad)).toBeUndefined();
    }
  });

  it('says why a filter does not fit the run', () => {
    const error = (text: string) => {
      const test = facetTest(parseFacetFilter(text) ?? { facet: '', value: '' }, facets);
      return 'error' in test ? test.error : undefined;
    };
    expect(error('tone=calm')).toBe('This run has no facet “tone”.');
    expect(error('mood=furious')).toBe('No item has mood “furious”.');
    expect(error('mood=1..2')).toMatch(/is a category/);
    expect(error('frustration=high')).toMatch(/is a scale/);
    expect(error('mood=calm')).toBeUndefined();
  });

  it('counts the matching members of every cluster as a scan of its items would', () => {
    const cases: [string, (item: (typeof data.items)[number]) => boolean][] = [
      ['mood=annoyed', (item) => item.facets?.mood === 'annoyed'],
      [
        'frustration=2..3',
        (item) => {
          const v = item.facets?.frustration;
          return typeof v === 'number' && v >= 2 && v <= 3;
        },
      ],
    ];
    for (const [text, keeps] of cases) {
      const filter = parseFacetFilter(text);
      const test = filter && facetTest(filter, facets);
      if (!test || !('keeps' in test)) throw new Error(`no test for ${text}`);
      const name = facets[test.column]?.name ?? '';
      const matches = new FacetMatches(column(name).values, test.keeps);
      expect(matches.total).toBe(doc.items.filter(keeps).length);
      for (const c of data.index.clusters) {
        const members = data.items.slice(c.start, c.start + c.size);
        expect(matches.inCluster(c)).toBe(members.filter(keeps).length);
      }
      const first = data.index.clusters.find((c) => c.level === 1);
      if (!first) throw new Error('no level 1 cluster');
      const positions = matches.positions(first.start, first.start + first.size);
      expect(positions.every((p) => keeps(data.items[p] as (typeof data.items)[number]))).toBe(
        true,
      );
      expect(positions).toHaveLength(matches.inCluster(first));
    }
  });
});

describe('facet measures', () => {
  const top = data.index.clusters.filter((c) => c.level === 2);

  it("ranks clusters by a value's share or a scale's mean, highest first", () => {
    const share = parseFacetMeasure('mood=calm');
    const mean = parseFacetMeasure('frustration');
    if (!share || !mean) throw new Error('unreadable measures');
    const calmShare = (c: (typeof top)[number]) => {
      const members = data.items.slice(c.start, c.start + c.size);
      return members.filter((item) => item.facets?.mood === 'calm').length / members.length;
    };
    for (const c of top) expect(measureOf(c, share, facetsOf)).toBeCloseTo(calmShare(c), 10);
    const ranked = rankByMeasure(top, share, facetsOf).map(calmShare);
    expect(ranked).toEqual([...ranked].sort((a, b) => b - a));
    const means = rankByMeasure(top, mean, facetsOf).map((c) => measureOf(c, mean, facetsOf) ?? 0);
    expect(means).toEqual([...means].sort((a, b) => b - a));
    expect(measureOf(top[0] as VizCluster, { facet: 'tone' }, facetsOf)).toBeUndefined();
  });

  it('colours base clusters from the lowest value to the highest, grey without one', () => {
    const bases = data.index.clusters.filter((c) => c.level === 0);
    const mean = { facet: 'frustration' };
    const colouring = facetColouring(bases, mean, facetsOf);
    if (!colouring) throw new Error('no colouring');
    const values = bases.map((c) => measureOf(c, mean, facetsOf) ?? 0);
    const lowest = bases[values.indexOf(Math.min(...values))] as (typeof bases)[number];
    const highest = bases[values.indexOf(Math.max(...values))] as (typeof bases)[number];
    expect(colouring.step(lowest)).toBe(0);
    expect(colouring.step(highest)).toBe(RAMP.length - 1);
    // A base cluster whose members left the facet unanswered has no distribution for it.
    const partly = facetColouring(bases, mean, (c) => (c === highest ? {} : facetsOf(c)));
    if (!partly) throw new Error('no colouring without one cluster');
    expect(partly.colours[partly.step(highest)]).toBe(NO_VALUE);
    expect(partly.colours[partly.step(lowest)]).toBe(RAMP[0]);
    expect(facetColouring(bases, { facet: 'tone' }, facetsOf)).toBeUndefined();
  });
});
