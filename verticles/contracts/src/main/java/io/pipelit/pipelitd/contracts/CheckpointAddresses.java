package io.pipelit.pipelitd.contracts;

/**
 * Event-bus addresses of the checkpoint store ({@code pipelit.checkpoints.*}): LangGraph's checkpointer
 * operations plus pruning, copying and statistics, served by the checkpoints module's verticle.
 *
 * <p>Request contract: the same as {@link StoreAddresses} (a JSON object; path and query parameters of
 * the HTTP route as top-level fields, the HTTP body as {@code body}; the caller's identity in the
 * {@link StoreHeaders}; failures as {@code message.fail(ErrorCode.value(), detail)}). Every address is
 * <b>admin only</b>: a normal user's identity gets {@link ErrorCode#FORBIDDEN}.
 *
 * <p>Common fields: {@code thread_id} (string, required where named), {@code ns} (the checkpoint
 * namespace, default {@code ""}), {@code checkpoint_id}. Blobs travel as base64 strings next to their
 * serializer type tag ({@code "msgpack"}, {@code "json"}, {@code "msgpack+aes"}, ...), opaque to pipelitd.
 *
 * <p>A checkpoint tuple (the reply of {@link #GET_TUPLE} and the items of {@link #LIST}):
 * {@code {thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata,
 * blob_size, pending_writes: [{task_id, task_path, idx, channel, type, value}]}}; pending writes are
 * ordered by {@code task_id, idx}; {@code blob_size} is the decoded checkpoint's length in bytes.
 */
public final class CheckpointAddresses {
  private CheckpointAddresses() {}

  public static final String PREFIX = "pipelit.checkpoints.";

  /**
   * {@code {thread_id, checkpoint_id, ns?, body: {parent_checkpoint_id?, type, checkpoint, metadata?}}}
   * → {@code {thread_id, checkpoint_ns, checkpoint_id}}. Upsert by (thread_id, ns, checkpoint_id);
   * {@code metadata} is a JSON object (default {@code {}}). Larger than CHECKPOINTS_MAX_BYTES: PAYLOAD_TOO_LARGE.
   */
  public static final String PUT = PREFIX + "put";

  /**
   * {@code {thread_id, checkpoint_id, ns?, body: {task_id, task_path?, writes: [{idx?, channel, type, value}]}}}
   * → {@code {thread_id, checkpoint_ns, checkpoint_id, task_id, writes}}. LangGraph's semantics: a
   * missing {@code idx} is the write's position, or the fixed negative index of a special channel
   * ({@code __error__} -1, {@code __scheduled__} -2, {@code __interrupt__} -3, {@code __resume__} -4);
   * when every write goes to a special channel they replace existing rows, otherwise existing rows are
   * kept (insert-or-ignore).
   */
  public static final String PUT_WRITES = PREFIX + "put_writes";

  /**
   * {@code {thread_id, ns?, checkpoint_id?}} → a checkpoint tuple: the one named, or the latest of the
   * thread and namespace (greatest checkpoint_id). NOT_FOUND when there is none.
   */
  public static final String GET_TUPLE = PREFIX + "get_tuple";

  /**
   * {@code {thread_id?, ns?, before?, limit?, filter?: {key: json value}}} → {@code {items, total}},
   * newest first (checkpoint_id descending). Without {@code ns} every namespace is listed (LangGraph's
   * {@code list}); {@code before} is a checkpoint_id (exclusive); {@code limit} 1..1000, default 100;
   * {@code filter} matches top-level metadata keys for equality; {@code total} counts every match.
   */
  public static final String LIST = PREFIX + "list";

  /** {@code {thread_id}} → {@code {deleted_checkpoints, deleted_writes}}; writes first, then checkpoints. */
  public static final String DELETE_THREAD = PREFIX + "delete_thread";

  /**
   * {@code {body: {keep_last?, older_than_seconds?, thread_ids?, dry_run?}}} →
   * {@code {deleted_checkpoints, deleted_writes, threads, dry_run}}. At least one rule is required. See
   * the checkpoints module's README section for the exact rules; {@code dry_run} counts without deleting.
   */
  public static final String PRUNE = PREFIX + "prune";

  /**
   * {@code {thread_id?, limit?, offset?}} → {@code {items: [{thread_id, checkpoints, checkpoint_bytes,
   * writes, write_bytes, latest_checkpoint_id}], total}}, by thread_id.
   */
  public static final String STATS = PREFIX + "stats";

  /**
   * {@code {thread_id, body: {target_thread_id}}} → {@code {thread_id, target_thread_id, checkpoints,
   * writes}}: copies every checkpoint and write of a thread (all namespaces) to a new thread. CONFLICT when
   * the target already has checkpoints; NOT_FOUND when the source has none.
   */
  public static final String COPY_THREAD = PREFIX + "copy_thread";

  /**
   * Pipelit's admin listing ({@code GET /api/v1/memories/checkpoints/}): {@code {thread_id?, limit?, offset?}}
   * → {@code {items: [{thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, step, source,
   * blob_size}], total}}, newest first, without blobs; {@code step} and {@code source} come from the
   * metadata, {@code blob_size} is the checkpoint's length in bytes.
   */
  public static final String ADMIN_LIST = PREFIX + "admin_list";

  /**
   * Pipelit's batch delete ({@code POST /api/v1/memories/checkpoints/batch-delete/}):
   * {@code {body: {thread_ids?, checkpoint_ids?}}} → {@code {deleted_checkpoints, deleted_writes}}. Writes
   * first, then checkpoints; as in Pipelit a checkpoint id is matched in every thread.
   */
  public static final String BATCH_DELETE = PREFIX + "batch_delete";
}
