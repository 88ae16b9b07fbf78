import { hashChildren, HASH_SIZE } from './hash';
import type { NodeId } from './tree-math';

/**
 * Tiles as in C2SP tlog-tiles and Trillian Tessera: the perfect nodes of every eighth level
 * (0, 8, 16, ...) in rows of 256 hashes. A tile at tile-level T and index i holds the nodes
 * (8T, 256i) .. (8T, 256i + 255); a node between those levels is rebuilt from at most 128 hashes
 * of one tile. A full tile never changes; only the right-most tile of each tile-level grows.
 */
export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 2 ** TILE_HEIGHT;

export interface TileAddress {
  readonly level: number;
  readonly index: number;
}

/** Where a node's hash lives: the tile, the first hash of its row span, and how many it spans. */
export interface NodeInTile {
  readonly tile: TileAddress;
  readonly offset: number;
  readonly count: number;
}

export const locateNode = (node: NodeId): NodeInTile => {
  const tileLevel = Math.floor(node.level / TILE_HEIGHT);
  const below = node.level % TILE_HEIGHT;
  const count = 2 ** below;
  const firstRow = node.index * count;
  return { tile: { level: tileLevel, index: Math.floor(firstRow / TILE_WIDTH) }, offset: firstRow % TILE_WIDTH, count };
};

/** The hash at position `i` of a tile's bytes (its row of 32-byte hashes). */
export const tileHash = (tile: Buffer, i: number): Buffer => {
  if ((i + 1) * HASH_SIZE > tile.length) throw new RangeError(`tile of width ${tile.length / HASH_SIZE} has no hash ${i}`);
  return tile.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
};

/** A node's hash from its tile: the row span hashed pairwise up to the node's level. */
export const nodeFromTile = (tile: Buffer, at: NodeInTile): Buffer => {
  let row: Buffer[] = [];
  for (let i = 0; i < at.count; i++) row.push(tileHash(tile, at.offset + i));
  while (row.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < row.length; i += 2) next.push(hashChildren(row[i], row[i + 1]));
    row = next;
  }
  return row[0];
};

export const tileKey = (tile: TileAddress): string => `${tile.level}/${tile.index}`;

/**
 * Collects the nodes an append completes at tile levels, as (tile, slot, hash), so an integrator
 * can extend its right-most tiles with one write per tile.
 */
export class TileGrowth {
  readonly tiles = new Map<string, { tile: TileAddress; slots: Map<number, Buffer> }>();

  visit = (level: number, index: number, hash: Buffer): void => {
    if (level % TILE_HEIGHT !== 0) return;
    const tile = { level: level / TILE_HEIGHT, index: Math.floor(index / TILE_WIDTH) };
    const key = tileKey(tile);
    let entry = this.tiles.get(key);
    if (!entry) this.tiles.set(key, (entry = { tile, slots: new Map() }));
    entry.slots.set(index % TILE_WIDTH, hash);
  };
}
