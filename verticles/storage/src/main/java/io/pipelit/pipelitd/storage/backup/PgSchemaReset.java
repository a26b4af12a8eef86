package io.pipelit.pipelitd.storage.backup;

/**
 * SQL that empties a PostgreSQL schema before a restore puts a backup's objects there, so that the
 * result is exactly the backup's database: tables made by later migrations (which the backup does not
 * know) go too. {@code pg_restore --clean} cannot do this: it drops only the objects named in the dump,
 * and fails ("other objects depend on it") when a newer table holds a foreign key to one of them.
 *
 * <p>Objects that belong to an extension are left alone (the extension owns them). The statement is
 * meant to run inside the restore's single transaction: if anything after it fails, the drops roll back
 * with it.
 */
final class PgSchemaReset {
  private PgSchemaReset() {}

  /** A DO block dropping every table, view, sequence, routine and user type of {@code schema}. */
  static String dropEverythingIn(String schema) {
    return dropEverythingIn(schema, java.util.Set.of());
  }

  /** The same, sparing the tables named in {@code keepTables} (with their owned sequences). */
  static String dropEverythingIn(String schema, java.util.Set<String> keepTables) {
    if (!schema.matches("[a-z_][a-z0-9_]*")) {
      throw new IllegalArgumentException("unexpected schema name " + schema);
    }
    StringBuilder kept = new StringBuilder("''");
    for (String table : keepTables) {
      if (!table.matches("[a-z_][a-z0-9_]*")) {
        throw new IllegalArgumentException("unexpected table name " + table);
      }
      kept.append(", '").append(table).append("'");
    }
    // Relations first (CASCADE takes dependent views and foreign keys from other schemas with them;
    // sequences owned by a column, deptype 'a'/'i', go with their table and are not dropped alone),
    // then routines, then enum/domain/composite types that no table uses any more.
    return """
        DO $reset$
        DECLARE
          item record;
        BEGIN
          FOR item IN
            SELECT c.relname, c.relkind FROM pg_catalog.pg_class c
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = '%1$s' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
               AND c.relname NOT IN (%2$s)
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                                WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid
                                  AND d.deptype IN ('e', 'a', 'i'))
             ORDER BY c.relkind IN ('r', 'p', 'f') DESC
          LOOP
            EXECUTE format('DROP %%s IF EXISTS %%I.%%I CASCADE',
              CASE item.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                                WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
              '%1$s', item.relname);
          END LOOP;
          FOR item IN
            SELECT p.oid::regprocedure AS signature FROM pg_catalog.pg_proc p
              JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = '%1$s'
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                                WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid
                                  AND d.deptype = 'e')
          LOOP
            EXECUTE 'DROP ROUTINE IF EXISTS ' || item.signature::text || ' CASCADE';
          END LOOP;
          FOR item IN
            SELECT t.typname, t.typtype FROM pg_catalog.pg_type t
              JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
              LEFT JOIN pg_catalog.pg_class c ON c.oid = t.typrelid
             WHERE n.nspname = '%1$s'
               AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND c.relkind = 'c'))
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                                WHERE d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = t.oid
                                  AND d.deptype = 'e')
          LOOP
            EXECUTE format('DROP %%s IF EXISTS %%I.%%I CASCADE',
              CASE item.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, '%1$s', item.typname);
          END LOOP;
        END
        $reset$;
        """.formatted(schema, kept);
  }
}
