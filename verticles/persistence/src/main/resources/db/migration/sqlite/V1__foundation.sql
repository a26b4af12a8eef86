-- pipelitd foundation schema (SQLite). Table and column names follow Pipelit's models
-- (shared/reference/pipelit-persistence.md §1.1, §1.3-§1.6) so a Pipelit client and, later, a
-- Pipelit database fit. Differences, on purpose:
--   * api_keys.key holds the SHA-256 hex digest of the key, never the key itself.
--   * indexes Pipelit lacks on the hot foreign keys (execution_logs.execution_id, ...).
--   * timestamps are UTC text 'YYYY-MM-DD HH:MM:SS.ffffff', as Pipelit writes them.

CREATE TABLE user_profiles (
    id                  INTEGER NOT NULL PRIMARY KEY,
    username            VARCHAR(150) NOT NULL,
    password_hash       VARCHAR(255) NOT NULL DEFAULT '',
    first_name          VARCHAR(150) NOT NULL DEFAULT '',
    last_name           VARCHAR(150) NOT NULL DEFAULT '',
    external_user_id    VARCHAR(255),
    github_username     VARCHAR(255) NOT NULL DEFAULT '',
    gitlab_username     VARCHAR(255) NOT NULL DEFAULT '',
    created_at          DATETIME NOT NULL DEFAULT (CURRENT_TIMESTAMP),
    role                VARCHAR(10) NOT NULL DEFAULT 'normal',
    created_by_agent_id INTEGER REFERENCES user_profiles (id) ON DELETE SET NULL,
    totp_secret         TEXT,
    mfa_enabled         BOOLEAN NOT NULL DEFAULT 0,
    totp_last_used_at   INTEGER,
    CONSTRAINT uq_user_profiles_username UNIQUE (username),
    CONSTRAINT uq_user_profiles_external_user_id UNIQUE (external_user_id),
    CONSTRAINT ck_user_profiles_role CHECK (role IN ('admin', 'normal'))
);

CREATE TABLE api_keys (
    id           INTEGER NOT NULL PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES user_profiles (id) ON DELETE CASCADE,
    key          VARCHAR(64) NOT NULL,
    name         VARCHAR(100) NOT NULL DEFAULT 'default',
    prefix       VARCHAR(8) NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL DEFAULT (CURRENT_TIMESTAMP),
    last_used_at DATETIME,
    expires_at   DATETIME,
    is_active    BOOLEAN NOT NULL DEFAULT 1,
    CONSTRAINT uq_api_keys_key UNIQUE (key)
);
CREATE INDEX ix_api_keys_user_id ON api_keys (user_id);

-- The credentials base table exists from the start so that component_configs can reference it;
-- its per-type child tables arrive with the credentials migration.
CREATE TABLE credentials (
    id              INTEGER NOT NULL PRIMARY KEY,
    user_profile_id INTEGER NOT NULL REFERENCES user_profiles (id) ON DELETE CASCADE,
    name            VARCHAR(255) NOT NULL,
    credential_type VARCHAR(20) NOT NULL,
    created_at      DATETIME NOT NULL DEFAULT (CURRENT_TIMESTAMP),
    updated_at      DATETIME NOT NULL DEFAULT (CURRENT_TIMESTAMP)
);
CREATE INDEX ix_credentials_user_profile_id ON credentials (user_profile_id);

CREATE TABLE workflows (
    id                        INTEGER NOT NULL PRIMARY KEY,
    name                      VARCHAR(255) NOT NULL,
    slug                      VARCHAR(255) NOT NULL,
    description               TEXT NOT NULL DEFAULT '',
    owner_id                  INTEGER NOT NULL REFERENCES user_profiles (id) ON DELETE CASCADE,
    repository_id             INTEGER,
    is_active                 BOOLEAN NOT NULL DEFAULT 1,
    is_public                 BOOLEAN NOT NULL DEFAULT 0,
    is_template               BOOLEAN NOT NULL DEFAULT 0,
    is_callable               BOOLEAN NOT NULL DEFAULT 0,
    is_default                BOOLEAN NOT NULL DEFAULT 0,
    forked_from_id            INTEGER REFERENCES workflows (id) ON DELETE SET NULL,
    error_handler_workflow_id INTEGER REFERENCES workflows (id) ON DELETE SET NULL,
    tags                      JSON,
    max_execution_seconds     INTEGER NOT NULL DEFAULT 600,
    input_schema              JSON,
    output_schema             JSON,
    created_at                DATETIME NOT NULL DEFAULT (CURRENT_TIMESTAMP),
    updated_at                DATETIME NOT NULL DEFAULT (CURRENT_TIMESTAMP)
);
CREATE UNIQUE INDEX ix_workflows_slug ON workflows (slug);
CREATE INDEX ix_workflows_owner_id ON workflows (owner_id);
-- SQLite scans the child table for ON DELETE SET NULL without these.
CREATE INDEX ix_workflows_forked_from_id ON workflows (forked_from_id);
CREATE INDEX ix_workflows_error_handler_workflow_id ON workflows (error_handler_workflow_id);

CREATE TABLE component_configs (
    id                  INTEGER NOT NULL PRIMARY KEY,
    component_type      VARCHAR(30) NOT NULL,
    extra_config        JSON NOT NULL DEFAULT '{}',
    updated_at          DATETIME NOT NULL DEFAULT (CURRENT_TIMESTAMP),
    llm_credential_id   INTEGER REFERENCES credentials (id) ON DELETE SET NULL,
    model_name          VARCHAR(255),
    temperature         FLOAT,
    max_tokens          INTEGER,
    frequency_penalty   FLOAT,
    presence_penalty    FLOAT,
    top_p               FLOAT,
    timeout             INTEGER,
    max_retries         INTEGER,
    response_format     JSON,
    llm_model_config_id INTEGER CONSTRAINT fk_llm_model_config REFERENCES component_configs (id) ON DELETE SET NULL,
    system_prompt       TEXT,
    code_language       VARCHAR(20),
    code_snippet        TEXT,
    credential_id       INTEGER CONSTRAINT fk_trigger_credential REFERENCES credentials (id) ON DELETE SET NULL,
    is_active           BOOLEAN,
    priority            INTEGER,
    trigger_config      JSON
);
CREATE INDEX ix_component_configs_llm_model_config_id ON component_configs (llm_model_config_id);
CREATE INDEX ix_component_configs_llm_credential_id ON component_configs (llm_credential_id);
CREATE INDEX ix_component_configs_credential_id ON component_configs (credential_id);

CREATE TABLE workflow_nodes (
    id                  INTEGER NOT NULL PRIMARY KEY,
    workflow_id         INTEGER NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    node_id             VARCHAR(255) NOT NULL,
    label               VARCHAR(255),
    component_type      VARCHAR(30) NOT NULL,
    component_config_id INTEGER NOT NULL REFERENCES component_configs (id) ON DELETE CASCADE,
    subworkflow_id      INTEGER REFERENCES workflows (id) ON DELETE SET NULL,
    code_block_id       INTEGER,
    is_entry_point      BOOLEAN NOT NULL DEFAULT 0,
    interrupt_before    BOOLEAN NOT NULL DEFAULT 0,
    interrupt_after     BOOLEAN NOT NULL DEFAULT 0,
    position_x          INTEGER NOT NULL DEFAULT 0,
    position_y          INTEGER NOT NULL DEFAULT 0,
    updated_at          DATETIME NOT NULL DEFAULT (CURRENT_TIMESTAMP),
    CONSTRAINT uq_workflow_node_id UNIQUE (workflow_id, node_id)
);
CREATE INDEX ix_workflow_nodes_component_config_id ON workflow_nodes (component_config_id);
CREATE INDEX ix_workflow_nodes_subworkflow_id ON workflow_nodes (subworkflow_id);

CREATE TABLE workflow_edges (
    id                INTEGER NOT NULL PRIMARY KEY,
    workflow_id       INTEGER NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    source_node_id    VARCHAR(255) NOT NULL,
    target_node_id    VARCHAR(255) NOT NULL DEFAULT '',
    edge_type         VARCHAR(15) NOT NULL DEFAULT 'direct',
    edge_label        VARCHAR(20) NOT NULL DEFAULT '',
    condition_mapping JSON,
    condition_value   VARCHAR(100) NOT NULL DEFAULT '',
    priority          INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ix_workflow_edges_workflow_id ON workflow_edges (workflow_id);

CREATE TABLE workflow_executions (
    execution_id        VARCHAR(36) NOT NULL PRIMARY KEY,
    workflow_id         INTEGER NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    trigger_node_id     INTEGER REFERENCES workflow_nodes (id) ON DELETE SET NULL,
    parent_execution_id VARCHAR(36) REFERENCES workflow_executions (execution_id) ON DELETE SET NULL,
    parent_node_id      VARCHAR(255) NOT NULL DEFAULT '',
    user_profile_id     INTEGER NOT NULL REFERENCES user_profiles (id) ON DELETE CASCADE,
    thread_id           VARCHAR(255) NOT NULL,
    status              VARCHAR(15) NOT NULL DEFAULT 'pending',
    trigger_payload     JSON,
    final_output        JSON,
    retry_count         INTEGER NOT NULL DEFAULT 0,
    max_retries         INTEGER NOT NULL DEFAULT 3,
    error_message       TEXT NOT NULL DEFAULT '',
    started_at          DATETIME,
    completed_at        DATETIME,
    total_input_tokens  INTEGER NOT NULL DEFAULT 0,
    total_output_tokens INTEGER NOT NULL DEFAULT 0,
    total_tokens        INTEGER NOT NULL DEFAULT 0,
    total_cost_usd      NUMERIC(12, 6) NOT NULL DEFAULT 0,
    llm_calls           INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ix_workflow_executions_workflow_id ON workflow_executions (workflow_id, started_at);
CREATE INDEX ix_workflow_executions_status ON workflow_executions (status);
CREATE INDEX ix_workflow_executions_parent ON workflow_executions (parent_execution_id);
CREATE INDEX ix_workflow_executions_trigger_node_id ON workflow_executions (trigger_node_id);
CREATE INDEX ix_workflow_executions_user_profile_id ON workflow_executions (user_profile_id);

CREATE TABLE execution_logs (
    id           INTEGER NOT NULL PRIMARY KEY,
    execution_id VARCHAR(36) NOT NULL REFERENCES workflow_executions (execution_id) ON DELETE CASCADE,
    node_id      VARCHAR(255) NOT NULL,
    status       VARCHAR(15) NOT NULL,
    input        JSON,
    output       JSON,
    error        TEXT NOT NULL DEFAULT '',
    error_code   VARCHAR(50),
    metadata     JSON DEFAULT '{}',
    retry_count  INTEGER NOT NULL DEFAULT 0,
    duration_ms  INTEGER NOT NULL DEFAULT 0,
    timestamp    DATETIME NOT NULL DEFAULT (CURRENT_TIMESTAMP)
);
CREATE INDEX ix_execution_logs_execution_id ON execution_logs (execution_id);
