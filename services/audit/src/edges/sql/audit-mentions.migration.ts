import type { MigrationInterface, QueryRunner } from 'typeorm';
import { columnsOf, type AuditEntry, type EntryMentions } from '../../domain/audit-entry';
import { mentionsJson } from './audit-tx';

const PAGE = 4096;

const mentionsOfLeaf = (leaf: Buffer): EntryMentions => columnsOf(JSON.parse(leaf.toString('utf8')) as AuditEntry).mentions;

/**
 * Every member and device an entry names (EntryMentions: its own memberId and deviceId, and an
 * emergency's owner or the member or device an approval is about), so that a compliance query by
 * member or device finds them all, a page at a time from an index. audit_entry_mentions holds a row
 * per mention of a sequenced entry, append-only like the log; audit_staged carries a leaf's mentions
 * until it is sequenced. Entries already in the log get theirs here, derived from their leaves as
 * the self-check does: inserts only, the log itself is not touched. Old audit replicas must be
 * stopped first (docs/decisions.md section 22): an entry one sequences after this gets no mentions.
 */
export class AuditEntryMentions1765600000000 implements MigrationInterface {
  name = 'AuditEntryMentions1765600000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE audit_staged ADD COLUMN mentions jsonb`);
    await runner.query(`
      CREATE TABLE audit_entry_mentions (
        index   bigint NOT NULL,
        kind    text NOT NULL CHECK (kind IN ('member', 'device')),
        subject text NOT NULL,
        PRIMARY KEY (index, kind, subject)
      )`);
    await runner.query(`CREATE INDEX audit_entry_mentions_subject_idx ON audit_entry_mentions (kind, subject, index)`);
    await runner.query(`CREATE TRIGGER audit_entry_mentions_append_only BEFORE UPDATE OR DELETE ON audit_entry_mentions FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()`);
    await runner.query(`CREATE TRIGGER audit_entry_mentions_no_truncate BEFORE TRUNCATE ON audit_entry_mentions FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()`);
    await runner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_entry_mentions FROM PUBLIC, CURRENT_USER`);

    for (let after = -1; ; ) {
      const rows: Array<{ index: string; leaf: Buffer }> = await runner.query(
        `SELECT index, leaf FROM audit_log_entries WHERE index > $1 ORDER BY index LIMIT $2`, [after, PAGE]);
      if (rows.length === 0) break;
      const mentions = rows.flatMap(({ index, leaf }) => {
        const { members, devices } = mentionsOfLeaf(leaf);
        return [...members.map((subject) => [index, 'member', subject]), ...devices.map((subject) => [index, 'device', subject])];
      });
      if (mentions.length > 0) {
        await runner.query(`INSERT INTO audit_entry_mentions (index, kind, subject) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[])`,
          [mentions.map((m) => m[0]), mentions.map((m) => m[1]), mentions.map((m) => m[2])]);
      }
      after = Number(rows[rows.length - 1].index);
    }
    const staged: Array<{ staged_id: string; leaf: Buffer }> = await runner.query(`SELECT staged_id, leaf FROM audit_staged`);
    const named = staged.map((s) => ({ id: s.staged_id, mentions: mentionsJson(mentionsOfLeaf(s.leaf)) })).filter((s) => s.mentions !== null);
    if (named.length > 0) {
      await runner.query(`UPDATE audit_staged s SET mentions = m.mentions FROM unnest($1::bigint[], $2::jsonb[]) AS m(id, mentions) WHERE s.staged_id = m.id`,
        [named.map((s) => s.id), named.map((s) => s.mentions)]);
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE audit_entry_mentions`);
    await runner.query(`ALTER TABLE audit_staged DROP COLUMN mentions`);
  }
}
