import { CompactRange, MemoryTree, TileGrowth, TILE_WIDTH, hashLeaf, locateNode, nodeFromTile, tileKey, type NodeId } from '../src';

/** Tiles hold every eighth level; any perfect node is rebuilt from one tile. */
describe('tiles', () => {
  const size = TILE_WIDTH * TILE_WIDTH + 3 * TILE_WIDTH + 17; // two tile levels, partial tiles on the right
  const leaves = Array.from({ length: size }, (_, i) => Buffer.from(String(i)));
  const tree = MemoryTree.of(leaves);

  // Appended in uneven batches, as the integrator does, merging each batch's growth into the stored tiles.
  const stored = new Map<string, Buffer>();
  const range = new CompactRange();
  for (let at = 0; at < size; ) {
    const batch = Math.min(size - at, 1 + (at % 997));
    const growth = new TileGrowth();
    for (let i = at; i < at + batch; i++) range.append(hashLeaf(leaves[i]), growth.visit);
    for (const { tile, slots } of growth.tiles.values()) {
      const key = tileKey(tile);
      const hashes = [...(stored.get(key) ?? Buffer.alloc(0))].length / 32;
      const row = Buffer.concat([stored.get(key) ?? Buffer.alloc(0), ...[...slots.keys()].sort((a, b) => a - b).map((slot, n) => {
        expect(slot).toBe(hashes + n); // tiles only ever grow at their end
        return slots.get(slot) as Buffer;
      })]);
      stored.set(key, row);
    }
    at += batch;
  }

  it('rebuild the perfect nodes of a tree two tile levels high', () => {
    const nodes: NodeId[] = [];
    for (let level = 0; 2 ** level <= size; level++) {
      const count = Math.floor(size / 2 ** level);
      // Every node of the low levels; a stride of the rest (each costs up to 127 hashes), and the last.
      for (let index = 0; index < count; index++) if (level < 2 || index % 13 === 0 || index === count - 1) nodes.push({ level, index });
    }
    const wrong = nodes.filter((node) => {
      const at = locateNode(node);
      const tile = stored.get(tileKey(at.tile));
      return !tile || !nodeFromTile(tile, at).equals(tree.nodeHash(node));
    });
    expect(wrong).toEqual([]);
    expect(nodes.length).toBeGreaterThan(size);
    expect(range.root().equals(tree.root())).toBe(true);
  });
});
