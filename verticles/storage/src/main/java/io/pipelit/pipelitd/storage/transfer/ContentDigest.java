package io.pipelit.pipelitd.storage.transfer;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;

/**
 * A table's content checksum that is the same on SQLite and PostgreSQL: rows in primary-key order (text
 * keys in byte order on both), every value in its canonical text ({@link Values#canonical}) under the
 * column types given (the same list on both sides), each length-prefixed so that no two rows encode
 * alike. A table without a primary key has no order both backends agree on: its rows' digests are summed
 * instead (order-independent).
 */
public final class ContentDigest {
  private final List<ColumnType> types;
  private final boolean ordered;
  private final MessageDigest digest = sha256();
  private final MessageDigest row = sha256();
  private final long[] sum = new long[4];
  private long rows;

  /**
   * @param types   the column types the values are canonicalised as
   * @param ordered true when rows arrive in primary-key order
   */
  public ContentDigest(List<ColumnType> types, boolean ordered) {
    this.types = List.copyOf(types);
    this.ordered = ordered;
  }

  /** Adds one row, its values of the Java types of {@code types}. */
  public void add(Object[] values) {
    MessageDigest target = ordered ? digest : row;
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null) {
        target.update((byte) 0);
        continue;
      }
      byte[] bytes = Values.canonical(values[i], types.get(i)).getBytes(StandardCharsets.UTF_8);
      target.update((byte) 1);
      target.update(lengthPrefix(bytes.length));
      target.update(bytes);
    }
    target.update((byte) '\n');
    if (!ordered) {
      byte[] hash = row.digest();
      for (int i = 0; i < 4; i++) {
        long part = 0;
        for (int b = 0; b < 8; b++) {
          part = (part << 8) | (hash[i * 8 + b] & 0xff);
        }
        sum[i] += part;
      }
    }
    rows++;
  }

  public long rows() {
    return rows;
  }

  /** Hex checksum of the rows added so far (call once, at the end). */
  public String hex() {
    if (ordered) {
      return HexFormat.of().formatHex(digest.digest());
    }
    StringBuilder out = new StringBuilder();
    for (long part : sum) {
      out.append(String.format("%016x", part));
    }
    return out.toString();
  }

  /**
   * Counts and checksums {@code table} through {@code c}, reading its columns named in {@code columns} as
   * the matching {@code types}. Runs in the caller's transaction (call {@link TransferDialect#beginSnapshot}
   * first on PostgreSQL for a cursor-based read).
   */
  public static TableSummary summarize(Connection c, Table table, List<Column> columnsAs) throws SQLException {
    TransferDialect dialect = TransferDialect.of(c);
    List<Column> native_ = new java.util.ArrayList<>();
    for (Column as : columnsAs) {
      native_.add(table.column(as.name()).orElseThrow(
          () -> new SQLException("table " + table.name() + " has no column " + as.name())));
    }
    ContentDigest digest = new ContentDigest(columnsAs.stream().map(Column::type).toList(),
        !table.primaryKey().isEmpty());
    try (Statement s = c.createStatement()) {
      s.setFetchSize(RowMover.DEFAULT_BATCH);
      try (ResultSet rows = s.executeQuery(RowMover.selectSql(dialect, table, native_))) {
        while (rows.next()) {
          Object[] values = new Object[native_.size()];
          for (int i = 0; i < values.length; i++) {
            values[i] = Values.convert(Values.read(rows, i + 1, native_.get(i), dialect), columnsAs.get(i).type());
          }
          digest.add(values);
        }
      }
    }
    return new TableSummary(table.name(), digest.rows(), digest.hex());
  }

  private static byte[] lengthPrefix(int length) {
    return new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
