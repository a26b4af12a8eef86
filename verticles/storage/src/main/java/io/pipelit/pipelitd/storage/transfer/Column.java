package io.pipelit.pipelitd.storage.transfer;

/**
 * One column of a table as the database catalog describes it.
 *
 * @param name       column name
 * @param type       what it holds, backend-independent
 * @param nativeType the backend's type name (SQLite declared type, PostgreSQL udt_name), for binding
 *                   details such as timestamptz
 * @param nullable   whether NULL is allowed
 * @param identity   PostgreSQL: an identity or serial column whose sequence is re-seeded after a load
 */
public record Column(String name, ColumnType type, String nativeType, boolean nullable, boolean identity) {}
