import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transparency log of docs/architecture.md section 7.
 *
 * - audit_staged: leaves received but not yet sequenced (any replica inserts; the integrator moves them).
 * - audit_entries: the log, one row per leaf, `index` 0, 1, 2, ... assigned by the integrator under
 *   the tree head's lock. Append-only in the database itself, like audit_checkpoints.
 * - audit_tiles: the tree's perfect nodes of every eighth level in rows of 256 (tlog tiles, as in
 *   Trillian Tessera's Subtree table); only the right-most tile of each level is rewritten.
 * - audit_tree_head: size, root and right edge of the integrated tree (one row, the integrator's lock).
 * - audit_checkpoints: every signed checkpoint (C2SP signed note).
 * - audit_data_keys / audit_key_links / audit_erasures: per-account data keys wrapped by the KEK,
 *   which device and call belong to which account, and the erasures done (crypto-shredding).
 *
 * The log of the first audit version (a bigserial cursor, personal data in the clear) stays as
 * audit_entries_v0, untouched; the new consumer group reads the topics again from the start.
 */
export class AuditTransparencyLog1765000000000 implements MigrationInterface {
  name = 'AuditTransparencyLog1765000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE IF EXISTS audit_entries RENAME TO audit_entries_v0`);
    await runner.query(`
      CREATE TABLE audit_staged (
        staged_id   bigserial PRIMARY KEY,
        event_id    uuid NOT NULL UNIQUE,
        leaf        bytea NOT NULL,
        type        text NOT NULL,
        source      text NOT NULL,
        occurred_at timestamptz NOT NULL,
        account_id  text, call_id text, member_id text, device_id text,
        received_at timestamptz NOT NULL
      )`);
    await runner.query(`
      CREATE TABLE audit_log_entries (
        index         bigint PRIMARY KEY CHECK (index >= 0),
        event_id      uuid NOT NULL UNIQUE,
        leaf          bytea NOT NULL,
        type          text NOT NULL,
        source        text NOT NULL,
        occurred_at   timestamptz NOT NULL,
        account_id    text, call_id text, member_id text, device_id text,
        received_at   timestamptz NOT NULL,
        integrated_at timestamptz NOT NULL DEFAULT now()
      )`);
    for (const column of ['call_id', 'account_id', 'member_id', 'device_id', 'type', 'occurred_at']) {
      await runner.query(`CREATE INDEX audit_log_entries_${column}_idx ON audit_log_entries (${column}, index)`);
    }
    await runner.query(`CREATE TABLE audit_tiles (level smallint NOT NULL, index bigint NOT NULL, hashes bytea NOT NULL, PRIMARY KEY (level, index))`);
    await runner.query(`
      CREATE TABLE audit_tree_head (
        id smallint PRIMARY KEY CHECK (id = 0), size bigint NOT NULL, root bytea NOT NULL, edge bytea NOT NULL
      )`);
    await runner.query(`INSERT INTO audit_tree_head (id, size, root, edge) VALUES (0, 0, sha256(''::bytea), ''::bytea)`);
    await runner.query(`
      CREATE TABLE audit_checkpoints (
        id bigserial PRIMARY KEY, tree_size bigint NOT NULL, root bytea NOT NULL, note text NOT NULL, signed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`CREATE INDEX audit_checkpoints_size_idx ON audit_checkpoints (tree_size)`);
    await runner.query(`
      CREATE TABLE audit_data_keys (
        scope text PRIMARY KEY, wrapped_key bytea, kek_id text, created_at timestamptz NOT NULL DEFAULT now(), erased_at timestamptz,
        CHECK ((wrapped_key IS NULL) = (erased_at IS NOT NULL))
      )`);
    await runner.query(`CREATE TABLE audit_key_links (scope text PRIMARY KEY, account_id text NOT NULL)`);
    await runner.query(`CREATE INDEX audit_key_links_account_idx ON audit_key_links (account_id)`);
    await runner.query(`CREATE TABLE audit_erasures (account_id text PRIMARY KEY, reason text NOT NULL, erased_at timestamptz NOT NULL)`);
    await runner.query(`
      CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const table of ['audit_log_entries', 'audit_checkpoints']) {
      await runner.query(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()`);
      await runner.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()`);
      // The service's own role may not even try (a superuser still can: the trigger and the signed tree catch that).
      await runner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON ${table} FROM PUBLIC, CURRENT_USER`);
    }
  }

  async down(): Promise<void> {
    throw new Error('the audit log is never rolled back');
  }
}
