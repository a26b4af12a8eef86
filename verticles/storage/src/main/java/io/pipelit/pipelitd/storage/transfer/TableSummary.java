package io.pipelit.pipelitd.storage.transfer;

/**
 * Row count and content checksum of one table.
 *
 * @param table    table name
 * @param rows     number of rows
 * @param checksum hex SHA-256 of the canonical content ({@link ContentDigest})
 */
public record TableSummary(String table, long rows, String checksum) {}
