import note from './fixtures/golang-sumdb-note.json';
import { NoteError, openCheckpoint, openNote, parseCheckpointText, parseSignerKey, parseVerifierKey, signCheckpoint, signNote, signerFromSeed } from '../src';

/** Vectors of golang.org/x/mod/sumdb/note, the signed-note format of C2SP (source named in the fixture). */
const peter = parseVerifierKey(note.verifierKey);
const enoch = parseVerifierKey(note.otherVerifierKey);

describe('a verifier key', () => {
  it('parses the published key and prints it back the same', () => {
    expect(peter.name).toBe('PeterNeumann');
    expect(peter.keyId.toString('hex')).toBe('c74f20a3');
    expect(peter.text).toBe(note.verifierKey);
  });

  it('refuses every substring and every single-character change of the published key', () => {
    const accepted: string[] = [];
    const key = note.verifierKey;
    for (let i = 0; i <= key.length; i++) {
      for (let j = i + 1; j <= key.length; j++) if ((i !== 0 || j !== key.length) && parses(key.slice(i, j))) accepted.push(key.slice(i, j));
    }
    for (let i = 0; i < key.length; i++) {
      const changed = key.slice(0, i) + String.fromCharCode(key.charCodeAt(i) + 1) + key.slice(i + 1);
      if (parses(changed)) accepted.push(changed);
    }
    expect(accepted).toEqual([]);
  });

  it('refuses a key of the wrong length and an unknown algorithm, even with an adjusted key id', () => {
    for (const bad of note.badVerifierKeys) expect(() => parseVerifierKey(bad)).toThrow(NoteError);
  });
});

describe('a signed note', () => {
  it('is signed byte for byte as the published vector', () => {
    expect(signNote(note.text, parseSignerKey(note.signerKey))).toBe(`${note.text}\n${note.peterSignatureLine}`);
  });

  it('opens with the pinned key and ignores a signature by a key it does not pin', () => {
    expect(openNote(`${note.text}\n${note.peterSignatureLine}${note.enochSignatureLine}`, peter)).toBe(note.text);
    expect(openNote(`${note.text}\n${note.peterSignatureLine}${note.enochSignatureLine}`, enoch)).toBe(note.text);
  });

  it('is refused when no signature is by the pinned key', () => {
    expect(() => openNote(`${note.text}\n${note.enochSignatureLine}`, peter)).toThrow(/no signature by the pinned key/);
  });

  it('is refused when the pinned key signature does not verify', () => {
    const line = note.peterSignatureLine;
    expect(() => openNote(`${note.text}\n${line.slice(0, 60)}ABCD${line.slice(60)}`, peter)).toThrow(/invalid signature|malformed/);
    expect(() => openNote(`${note.text.replace('cryptography', 'cryptographY')}\n${line}`, peter)).toThrow(/invalid signature/);
  });

  it('is refused when malformed', () => {
    const { text, peterSignatureLine: sig } = note;
    for (const bad of [text, `${text}\n`, `${text}\n${sig.slice(0, -1)}`, `\x01${text}\n${sig}`, `${text}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=`, `${text}\n${sig}Unexpected line.\n`]) {
      expect(() => openNote(bad, peter)).toThrow(NoteError);
    }
  });
});

describe('a checkpoint', () => {
  const signer = signerFromSeed('homeline.test/audit', Buffer.alloc(32, 7));
  const rootHash = Buffer.alloc(32, 1);

  it('is the C2SP body: origin, size, base64 root, each line ending in a newline, then the signature', () => {
    const signed = signCheckpoint({ origin: 'homeline.test/audit', size: 42, rootHash }, signer);
    expect(signed).toMatch(/^homeline\.test\/audit\n42\nAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=\n\n— homeline\.test\/audit [A-Za-z0-9+/]{91}=\n$/);
    expect(openCheckpoint(signed, signer.verifier, 'homeline.test/audit')).toEqual({ origin: 'homeline.test/audit', size: 42, rootHash });
  });

  it('is refused under another origin or another key', () => {
    const signed = signCheckpoint({ origin: 'homeline.test/audit', size: 1, rootHash }, signer);
    expect(() => openCheckpoint(signed, signer.verifier, 'elsewhere/audit')).toThrow(/origin/);
    expect(() => openCheckpoint(signed, signerFromSeed('homeline.test/audit', Buffer.alloc(32, 8)).verifier)).toThrow(/no signature by the pinned key/);
  });

  it('parses the C2SP example body and refuses leading zeros, short roots and empty extension lines', () => {
    expect(parseCheckpointText('example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n').size).toBe(20852163);
    for (const bad of ['o\n01\nAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=\n', 'o\n1\nAQE=\n', 'o\n1\nAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=\n\n', '\n1\nAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=\n', 'o\n1\n']) {
      expect(() => parseCheckpointText(bad)).toThrow(NoteError);
    }
  });
});

const parses = (key: string): boolean => {
  try {
    parseVerifierKey(key);
    return true;
  } catch {
    return false;
  }
};
