import { HASH_SIZE } from './hash';
import { NoteError, openNote, signNote, type NoteSigner, type NoteVerifier } from './note';

/** A C2SP tlog-checkpoint: origin, tree size, root hash (RFC 9162 tree). */
export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Buffer;
}

export const checkpointText = (checkpoint: Checkpoint): string =>
  `${checkpoint.origin}\n${checkpoint.size}\n${checkpoint.rootHash.toString('base64')}\n`;

export const signCheckpoint = (checkpoint: Checkpoint, signer: NoteSigner): string => signNote(checkpointText(checkpoint), signer);

/** Parses the note text of a checkpoint, strictly: a size with no leading zeros, a 32-byte root. */
export const parseCheckpointText = (text: string): Checkpoint => {
  const lines = text.split('\n');
  if (lines.pop() !== '' || lines.length < 3) throw new NoteError('a checkpoint has at least three lines, each ending in a newline');
  const [origin, size, root, ...extensions] = lines;
  if (origin.length === 0) throw new NoteError('the checkpoint origin is empty');
  if (!/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size))) throw new NoteError(`bad checkpoint tree size ${JSON.stringify(size)}`);
  const rootHash = Buffer.from(root, 'base64');
  if (rootHash.length !== HASH_SIZE || rootHash.toString('base64') !== root) throw new NoteError('the checkpoint root is not the base64 of a 32-byte hash');
  if (extensions.some((line) => line.length === 0)) throw new NoteError('empty extension line in checkpoint');
  return { origin, size: Number(size), rootHash };
};

/**
 * Opens a signed checkpoint with the pinned key, and checks its origin when one is expected.
 * The key is the verifier's, never the server's word.
 */
export const openCheckpoint = (note: string, verifier: NoteVerifier, origin?: string): Checkpoint => {
  const checkpoint = parseCheckpointText(openNote(note, verifier));
  if (origin !== undefined && checkpoint.origin !== origin) throw new NoteError(`checkpoint origin ${JSON.stringify(checkpoint.origin)} is not ${JSON.stringify(origin)}`);
  return checkpoint;
};
