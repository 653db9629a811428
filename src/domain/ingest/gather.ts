/**
 * Lets turns of the event loop pass while `size()` keeps growing (work still arriving joins the batch and shares its
 * commit), at most `turns`, so a lone item is not held.
 */
export async function gatherWhileGrowing(size: () => number, turns = 4): Promise<void> {
  for (let turn = 0; turn < turns; turn++) {
    const before = size();
    await new Promise((r) => setImmediate(r));
    if (size() === before) return;
  }
}
