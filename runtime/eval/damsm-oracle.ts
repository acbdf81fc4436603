/**
 * The ceiling of caption retrieval on synthetic birds: an oracle that knows each image's true
 * attributes and which attributes each caption names. Captions name only some attributes, so two
 * images can fit one caption equally and even a perfect reader ties; that is why the ceiling is
 * below 100 % and why a DAMSM is judged against it.
 *
 * For image i and candidate caption j the oracle scores j by how unlikely a random image is to fit
 * it — Σ log(number of values) over the attributes j names — when every attribute j names matches
 * image i, and −∞ otherwise (the Bayes ranking when attributes are drawn uniformly, as the
 * renderer draws them). Image i's own caption always fits. A hit counts 1 / (1 + captions tied with
 * it) when none scores higher: the expected R@1 of breaking ties at random.
 */

export type Attributes = Readonly<Record<string, string>>;

/** The expected R@1 of the oracle for each image of one batch; `stated[j]` is caption j's named attributes (caption j belongs to image j). */
export function oracleHits(truth: readonly Attributes[], stated: readonly Attributes[], cardinality: Readonly<Record<string, number>>): number[] {
  if (truth.length !== stated.length) throw new RangeError(`oracle: ${truth.length} images but ${stated.length} captions`);
  const specificity = stated.map((s) =>
    Object.keys(s).reduce((acc, k) => {
      const n = cardinality[k];
      if (n === undefined) throw new RangeError(`oracle: no cardinality for attribute ${k}`);
      return acc + Math.log(n);
    }, 0),
  );
  const fits = (i: number, j: number) => Object.entries(stated[j]!).every(([k, v]) => truth[i]![k] === v);
  return truth.map((_, i) => {
    const own = specificity[i]!;
    let ties = 0;
    for (let j = 0; j < stated.length; j++) {
      if (j === i || !fits(i, j)) continue;
      const s = specificity[j]!;
      if (s > own + 1e-12) return 0;
      if (Math.abs(s - own) <= 1e-12) ties++;
    }
    return 1 / (1 + ties);
  });
}
