-- Schedules, human-in-the-loop pending tasks and conversations (Pipelit §1.6, §1.7, §1.10), with the
-- foreign keys and delete semantics of §1.15: deleting a workflow or a user removes its schedules and
-- conversations; deleting an execution removes its pending tasks and detaches its conversations.
-- Differences, on purpose: an index on every foreign key the stores filter or cascade on, and the
-- composite (status, next_run_at) index a migrated Pipelit database has.

CREATE TABLE scheduled_jobs (
    id               VARCHAR(36) NOT NULL PRIMARY KEY,
    name             VARCHAR(255) NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    workflow_id      INTEGER NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    trigger_node_id  VARCHAR(255),
    user_profile_id  INTEGER NOT NULL REFERENCES user_profiles (id) ON DELETE CASCADE,
    interval_seconds INTEGER NOT NULL,
    total_repeats    INTEGER NOT NULL DEFAULT 0,
    max_retries      INTEGER NOT NULL DEFAULT 3,
    timeout_seconds  INTEGER NOT NULL DEFAULT 600,
    trigger_payload  JSON,
    status           VARCHAR(20) NOT NULL DEFAULT 'active',
    current_repeat   INTEGER NOT NULL DEFAULT 0,
    current_retry    INTEGER NOT NULL DEFAULT 0,
    last_run_at      DATETIME,
    next_run_at      DATETIME,
    run_count        INTEGER NOT NULL DEFAULT 0,
    error_count      INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT NOT NULL DEFAULT '',
    created_at       DATETIME NOT NULL DEFAULT (CURRENT_TIMESTAMP),
    updated_at       DATETIME NOT NULL DEFAULT (CURRENT_TIMESTAMP)
);
CREATE INDEX ix_scheduled_jobs_status ON scheduled_jobs (status);
CREATE INDEX ix_scheduled_jobs_next_run_at ON scheduled_jobs (next_run_at);
CREATE INDEX ix_scheduled_jobs_status_next_run_at ON scheduled_jobs (status, next_run_at);
CREATE INDEX ix_scheduled_jobs_workflow_id ON scheduled_jobs (workflow_id, trigger_node_id);
CREATE INDEX ix_scheduled_jobs_user_profile_id ON scheduled_jobs (user_profile_id);

CREATE TABLE pending_tasks (
    task_id         VARCHAR(8) NOT NULL PRIMARY KEY,
    execution_id    VARCHAR(36) NOT NULL REFERENCES workflow_executions (execution_id) ON DELETE CASCADE,
    user_profile_id INTEGER NOT NULL REFERENCES user_profiles (id) ON DELETE CASCADE,
    chat_id         VARCHAR(255),
    credential_id   VARCHAR(255),
    node_id         VARCHAR(255) NOT NULL,
    prompt          TEXT NOT NULL,
    created_at      DATETIME NOT NULL DEFAULT (CURRENT_TIMESTAMP),
    expires_at      DATETIME NOT NULL
);
CREATE INDEX ix_pending_tasks_execution_id ON pending_tasks (execution_id);
CREATE INDEX ix_pending_tasks_user_profile_id ON pending_tasks (user_profile_id);

CREATE TABLE conversations (
    id              INTEGER NOT NULL PRIMARY KEY,
    user_profile_id INTEGER NOT NULL REFERENCES user_profiles (id) ON DELETE CASCADE,
    thread_id       VARCHAR(255) NOT NULL,
    workflow_id     INTEGER NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    execution_id    VARCHAR(36) REFERENCES workflow_executions (execution_id) ON DELETE SET NULL,
    metadata        JSON NOT NULL DEFAULT '{}',
    created_at      DATETIME NOT NULL DEFAULT (CURRENT_TIMESTAMP),
    updated_at      DATETIME NOT NULL DEFAULT (CURRENT_TIMESTAMP)
);
CREATE INDEX ix_conversations_workflow_id ON conversations (workflow_id);
CREATE INDEX ix_conversations_user_profile_id ON conversations (user_profile_id);
CREATE INDEX ix_conversations_execution_id ON conversations (execution_id);
CREATE INDEX ix_conversations_thread_id ON conversations (thread_id);
