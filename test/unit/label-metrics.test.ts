import { describe, expect, it } from 'vitest';
import { labelScores } from '../../lib/evaluate/label-metrics.js';

describe('labelScores', () => {
  it('is perfect for the same partition under other names', () => {
    expect(labelScores(['a', 'a', 'b', 'b', 'c'], [7, 7, 3, 3, 1])).toEqual({
      nmi: 1,
      ari: 1,
      purity: 1,
    });
  });

  it('matches values computed by hand', () => {
    // labels a a a b b b, clusters 0 0 1 1 1 1
    // purity = (2 + 3) / 6; ARI: sum C(n_ij,2) = 1 + 0 + 3 = 4, rows 3+3=6, cols 1+6=7, C(6,2)=15,
    // expected = 6*7/15 = 2.8, max = 6.5, ARI = (4-2.8)/(6.5-2.8) = 0.32432...
    // MI = 2/6 ln(2/(2*3/6)) + 1/6 ln(1/(4*3/6)) + 3/6 ln(3/(4*3/6)) = 0.17441...
    // H(labels) = ln 2 = 0.69315, H(clusters) = -(1/3 ln 1/3 + 2/3 ln 2/3) = 0.63651; NMI = MI / mean
    const s = labelScores(['a', 'a', 'a', 'b', 'b', 'b'], [0, 0, 1, 1, 1, 1]);
    expect(s.purity).toBeCloseTo(5 / 6, 10);
    expect(s.ari).toBeCloseTo(1.2 / 3.7, 10);
    const mi = (2 / 6) * Math.log(2) + (1 / 6) * Math.log(0.5) + (3 / 6) * Math.log(1.5);
    expect(s.nmi).toBeCloseTo(mi / ((Math.log(2) + 0.6365141682948128) / 2), 10);
  });

  it('scores an unrelated clustering near zero', () => {
    const labels = Array.from({ length: 400 }, (_, i) => String(i % 4));
    const clusters = Array.from({ length: 400 }, (_, i) => Math.floor(i / 100));
    const s = labelScores(labels, clusters);
    expect(s.nmi).toBeCloseTo(0, 10);
    expect(s.ari).toBeLessThan(0.01);
    expect(s.purity).toBeCloseTo(0.25, 10);
  });
});
