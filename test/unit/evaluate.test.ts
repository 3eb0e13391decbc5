import { describe, expect, it } from 'vitest';
import { embeddingFit } from '../../lib/evaluate/embedding-fit.js';
import { labelReport } from '../../lib/evaluate/labels.js';
import type { HierarchyDoc } from '../../lib/output/hierarchy-schema.js';
import { blobVectors } from '../helpers/blobs.js';

function docFor(paths: number[][], labels?: string[]): HierarchyDoc {
  return {
    levels: [{ level: 0, count: new Set(paths.map((p) => p[0])).size }],
    items: paths.map((path, i) => ({
      id: `i${i}`,
      summary: '',
      partition: 'Default',
      path,
      preview: '',
      ...(labels ? { label: labels[i] } : {}),
    })),
  } as unknown as HierarchyDoc;
}

describe('embeddingFit', () => {
  const { vectors, truth } = blobVectors(3, 20, 12, 5);

  it('scores a clustering that follows the data as fitting', () => {
    const [fit] = embeddingFit(docFor(truth.map((t) => [t])), vectors);
    expect(fit?.nearestOwn).toBe(1);
    expect(fit?.silhouette).toBeGreaterThan(0.5);
    expect(fit?.worstItems).toEqual([]);
  });

  it('exposes items filed under the wrong cluster', () => {
    const paths = truth.map((t, i) => [i === 0 ? (t + 1) % 3 : t]);
    const [fit] = embeddingFit(docFor(paths), vectors);
    expect(fit?.nearestOwn).toBeLessThan(1);
    expect(fit?.worstItems[0]).toMatchObject({ id: 'i0', nearest: truth[0] });
  });

  it('scores a random clustering far lower', () => {
    const [good] = embeddingFit(docFor(truth.map((t) => [t])), vectors);
    const [random] = embeddingFit(docFor(truth.map((_, i) => [i % 3])), vectors);
    expect(random?.silhouette).toBeLessThan((good?.silhouette ?? 0) - 0.3);
  });
});

describe('labelReport', () => {
  it('summarises where each label went', () => {
    const report = labelReport(docFor([[0], [0], [0], [1], [1]], ['a', 'a', 'b', 'b', 'b']));
    expect(report?.[0]?.confusion).toEqual([
      { cluster: 0, size: 3, topLabel: 'a', topShare: 2 / 3, labels: 2 },
      { cluster: 1, size: 2, topLabel: 'b', topShare: 1, labels: 1 },
    ]);
    expect(report?.[0]?.labelSpread[0]).toEqual({
      label: 'b',
      size: 3,
      mainCluster: 1,
      mainShare: 2 / 3,
      clusters: 2,
    });
    expect(labelReport(docFor([[0]]))).toBeUndefined();
  });
});
