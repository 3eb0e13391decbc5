import type { FacetSpec, FacetSpecs } from '../config/facets.js';
import type { ItemRecord } from '../output/hierarchy-schema.js';
import type { Verdict } from './judge-plan.js';

/**
 * The judge's check of the question-facet answers the summary call gave: asked in the base-level
 * fit call the judge makes for every sampled item anyway, read back here into one verdict per
 * facet, and scored per facet (agreement for a category, mean absolute difference for a scale).
 * Built-in facets are computed, not answered, and are never judged.
 */

/**
 * The facets to check on one item: those of `specs` the item has an answer to, of the kind the
 * spec asks for. An answer of another kind (the config changed since the run) is not checked.
 */
export function facetsToCheck(item: ItemRecord, specs: FacetSpecs): FacetSpecs {
  return Object.fromEntries(
    Object.entries(specs).filter(([name, spec]) => {
      const value = item.facets?.[name];
      return spec.type === 'scale' ? typeof value === 'number' : typeof value === 'string';
    }),
  );
}

/** The item's recorded answers to the checked facets, as the judge's prompt takes them. */
export function recordedAnswers(
  item: ItemRecord,
  checked: FacetSpecs,
): Record<string, string | number> {
  return Object.fromEntries(
    Object.keys(checked).map((name) => [name, item.facets?.[name] as string | number]),
  );
}

/**
 * One facet's verdict from the judge's answer: a free category passes when the judge confirms
 * the recorded label, a listed category when it picks the same value, a scale when it gives the
 * same number (`difference` says how far off it was). The reason says both answers: the reply's
 * own reason is about the cluster fit asked in the same call.
 */
export function facetVerdict(
  spec: FacetSpec,
  recorded: string | number,
  answer: string | number | boolean | undefined,
): Verdict {
  if (answer === undefined) return { error: 'the reply has no answer for this facet' };
  const was = JSON.stringify(recorded);
  if (spec.type === 'scale') {
    const chosen = Number(answer);
    const difference = Math.abs(chosen - Number(recorded));
    return {
      pass: difference === 0,
      reason: `judge ${chosen}, recorded ${was}`,
      chosen,
      difference,
    };
  }
  if (typeof answer === 'boolean') {
    return { pass: answer, reason: `judge ${answer ? 'confirmed' : 'rejected'} ${was}` };
  }
  return {
    pass: answer === recorded,
    reason: `judge ${JSON.stringify(answer)}, recorded ${was}`,
    chosen: answer,
  };
}

/** How the judge's answers to one facet compare with the run's, over the judged items. */
export type FacetScore =
  | {
      readonly facet: string;
      readonly kind: 'category';
      /** Items the judge answered for (a valid reply). */
      readonly judged: number;
      /** Items whose check never got a valid reply: in no count above. */
      readonly failed: number;
      /** The judge picked the same value, or confirmed a free label. */
      readonly agreed: number;
      /** `agreed / judged`; null when nothing was judged. */
      readonly agreement: number | null;
    }
  | {
      readonly facet: string;
      readonly kind: 'scale';
      readonly judged: number;
      readonly failed: number;
      /** Mean of |judge's value − recorded value|; null when nothing was judged. */
      readonly meanAbsDifference: number | null;
    };

/** Per checked facet, in the config's order: what the judge's verdicts add up to. */
export function scoreFacets(
  specs: FacetSpecs,
  items: readonly { readonly facets?: Readonly<Record<string, Verdict>> }[],
): FacetScore[] {
  return Object.entries(specs).map(([facet, spec]): FacetScore => {
    const verdicts = items.flatMap((item) => {
      const v = item.facets?.[facet];
      return v ? [v] : [];
    });
    const answered = verdicts.filter((v) => 'pass' in v);
    const judged = answered.length;
    const failed = verdicts.length - judged;
    if (spec.type === 'scale') {
      const total = answered.reduce((sum, v) => sum + (v.difference ?? 0), 0);
      return {
        facet,
        kind: 'scale',
        judged,
        failed,
        meanAbsDifference: judged ? total / judged : null,
      };
    }
    const agreed = answered.filter((v) => v.pass).length;
    return {
      facet,
      kind: 'category',
      judged,
      failed,
      agreed,
      agreement: judged ? agreed / judged : null,
    };
  });
}
