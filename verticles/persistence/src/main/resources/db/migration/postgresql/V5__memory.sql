-- Agent memory, PostgreSQL: the same tables and columns as db/migration/sqlite/V5, with native types
-- (JSONB, TIMESTAMP without time zone holding UTC, DOUBLE PRECISION, BYTEA, BOOLEAN).
-- Reference §1.8: episodes, facts, procedures and memory users, written by the execution
-- engine through the pipelit.store.memory.* addresses and read/deleted by the admin routes (§3.13).
-- UUID text keys. Every column is written explicitly by the store; the defaults below only help rows
-- written by hand or by Pipelit itself. Delete rules per §1.15: a deleted episode leaves its facts
-- with source_episode_id NULL; a deleted workflow or execution leaves its episodes with NULL links.
-- As in Pipelit, facts have no unique key: the store serialises find-then-write on (scope, agent_id,
-- user_id, key) itself. `embedding` columns are kept for compatibility and never used.

CREATE TABLE memory_episodes (
    id                  VARCHAR(36) NOT NULL PRIMARY KEY,
    agent_id            VARCHAR(100) NOT NULL,
    user_id             VARCHAR(100),
    session_id          VARCHAR(100),
    workflow_id         BIGINT REFERENCES workflows (id) ON DELETE SET NULL,
    execution_id        VARCHAR(36) REFERENCES workflow_executions (execution_id) ON DELETE SET NULL,
    trigger_type        VARCHAR(50) NOT NULL DEFAULT '',
    trigger_input       JSONB,
    conversation        JSONB DEFAULT '[]',
    actions_taken       JSONB DEFAULT '[]',
    final_output        JSONB,
    success             BOOLEAN NOT NULL DEFAULT FALSE,
    error_code          VARCHAR(50),
    error_message       TEXT NOT NULL DEFAULT '',
    human_feedback      TEXT,
    human_rating        INTEGER,
    started_at          TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    ended_at            TIMESTAMP,
    duration_ms         INTEGER,
    summary             TEXT,
    embedding           BYTEA,
    processed_for_facts BOOLEAN NOT NULL DEFAULT FALSE,
    created_at          TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);
CREATE INDEX ix_memory_episodes_agent_id ON memory_episodes (agent_id);
CREATE INDEX ix_memory_episodes_user_id ON memory_episodes (user_id);
CREATE INDEX ix_memory_episodes_session_id ON memory_episodes (session_id);
CREATE INDEX ix_episode_agent_user ON memory_episodes (agent_id, user_id);
CREATE INDEX ix_episode_agent_time ON memory_episodes (agent_id, started_at);
CREATE INDEX ix_episode_user_time ON memory_episodes (user_id, started_at);
-- Not in Pipelit: the foreign keys' own indexes, so that deleting a workflow or an execution does not
-- scan every episode to null its links.
CREATE INDEX ix_memory_episodes_workflow_id ON memory_episodes (workflow_id);
CREATE INDEX ix_memory_episodes_execution_id ON memory_episodes (execution_id);

CREATE TABLE memory_facts (
    id                 VARCHAR(36) NOT NULL PRIMARY KEY,
    scope              VARCHAR(20) NOT NULL DEFAULT 'agent',
    agent_id           VARCHAR(100),
    user_id            VARCHAR(100),
    session_id         VARCHAR(100),
    "key"              VARCHAR(255) NOT NULL,
    value              JSONB NOT NULL,
    fact_type          VARCHAR(50) NOT NULL,
    confidence         DOUBLE PRECISION NOT NULL DEFAULT 1.0,
    times_confirmed    INTEGER NOT NULL DEFAULT 1,
    times_contradicted INTEGER NOT NULL DEFAULT 0,
    source_episode_id  VARCHAR(36) REFERENCES memory_episodes (id) ON DELETE SET NULL,
    source_description VARCHAR(255),
    access_count       INTEGER NOT NULL DEFAULT 0,
    last_accessed      TIMESTAMP,
    embedding          BYTEA,
    created_at         TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at         TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);
CREATE INDEX ix_memory_facts_agent_id ON memory_facts (agent_id);
CREATE INDEX ix_memory_facts_user_id ON memory_facts (user_id);
CREATE INDEX ix_memory_facts_session_id ON memory_facts (session_id);
CREATE INDEX ix_fact_scope_key ON memory_facts (scope, agent_id, user_id, "key");
CREATE INDEX ix_fact_agent_type ON memory_facts (agent_id, fact_type);
CREATE INDEX ix_fact_user ON memory_facts (user_id, fact_type);
-- Not in Pipelit: deleting an episode nulls source_episode_id without scanning every fact.
CREATE INDEX ix_memory_facts_source_episode_id ON memory_facts (source_episode_id);

CREATE TABLE memory_procedures (
    id                  VARCHAR(36) NOT NULL PRIMARY KEY,
    agent_id            VARCHAR(100) NOT NULL,
    user_id             VARCHAR(100),
    name                VARCHAR(255) NOT NULL,
    description         TEXT NOT NULL DEFAULT '',
    trigger_conditions  JSONB NOT NULL DEFAULT '{}',
    procedure_type      VARCHAR(50) NOT NULL,
    procedure_content   JSONB NOT NULL,
    times_used          INTEGER NOT NULL DEFAULT 0,
    times_succeeded     INTEGER NOT NULL DEFAULT 0,
    times_failed        INTEGER NOT NULL DEFAULT 0,
    avg_duration_ms     DOUBLE PRECISION,
    last_used_at        TIMESTAMP,
    source              VARCHAR(50) NOT NULL DEFAULT 'human_taught',
    parent_procedure_id VARCHAR(36) REFERENCES memory_procedures (id) ON DELETE SET NULL,
    is_active           BOOLEAN NOT NULL DEFAULT TRUE,
    created_at          TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at          TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);
CREATE INDEX ix_memory_procedures_agent_id ON memory_procedures (agent_id);
CREATE INDEX ix_memory_procedures_user_id ON memory_procedures (user_id);
CREATE INDEX ix_procedure_agent ON memory_procedures (agent_id, is_active);

CREATE TABLE memory_users (
    id                   VARCHAR(36) NOT NULL PRIMARY KEY,
    canonical_id         VARCHAR(100) NOT NULL,
    display_name         VARCHAR(255),
    telegram_id          VARCHAR(100),
    telegram_username    VARCHAR(100),
    email                VARCHAR(255),
    merged_into_id       VARCHAR(36) REFERENCES memory_users (id) ON DELETE SET NULL,
    preferences_cache    JSONB NOT NULL DEFAULT '{}',
    total_conversations  INTEGER NOT NULL DEFAULT 0,
    last_conversation_at TIMESTAMP,
    first_seen_at        TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    last_seen_at         TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    created_at           TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at           TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    CONSTRAINT uq_memory_users_canonical_id UNIQUE (canonical_id),
    CONSTRAINT uq_memory_users_telegram_id UNIQUE (telegram_id),
    CONSTRAINT uq_memory_users_email UNIQUE (email)
);
-- Pipelit's redundant non-unique indexes beside the UNIQUE constraints, kept for schema parity.
CREATE INDEX ix_memory_user_telegram ON memory_users (telegram_id);
CREATE INDEX ix_memory_user_email ON memory_users (email);
