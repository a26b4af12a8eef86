package io.pipelit.pipelitd.storage.transfer;

import java.util.List;

/**
 * A foreign key: {@code columns} of the owning table reference {@code referencedTable}.
 *
 * @param columns         the referencing columns, in key order
 * @param referencedTable the referenced table
 */
public record ForeignKey(List<String> columns, String referencedTable) {}
