-- Workspaces (reference §1.9) and system settings (§1.11), SQLite.
-- Differences from Pipelit, on purpose:
--   * workspaces.env_vars is TEXT holding the JSON array encrypted as one Fernet token
--     (FIELD_ENCRYPTION_KEY); Pipelit keeps the values in plaintext JSON.
--   * system_config also holds the settings Pipelit keeps in conf.json (§3.15), one nullable column
--     each: NULL means "not set, the default applies". database_url and redis_url are encrypted
--     (they may carry passwords). detected_environment is the last environment check (JSON text).
--   * The default workspace is the one named 'default' (names are unique across users).

CREATE TABLE workspaces (
    id              INTEGER NOT NULL PRIMARY KEY,
    name            VARCHAR(100) NOT NULL,
    path            VARCHAR(500) NOT NULL,
    allow_network   BOOLEAN NOT NULL DEFAULT 0,
    env_vars        TEXT NOT NULL DEFAULT '[]',
    created_at      DATETIME NOT NULL DEFAULT (CURRENT_TIMESTAMP),
    user_profile_id INTEGER NOT NULL REFERENCES user_profiles (id) ON DELETE CASCADE,
    CONSTRAINT uq_workspaces_name UNIQUE (name)
);
CREATE INDEX ix_workspaces_user_profile_id ON workspaces (user_profile_id);

CREATE TABLE system_config (
    id                                 INTEGER NOT NULL PRIMARY KEY,
    default_llm_credential_id          INTEGER REFERENCES credentials (id) ON DELETE SET NULL,
    default_llm_model_name             VARCHAR(255) NOT NULL DEFAULT '',
    default_timezone                   VARCHAR(50) NOT NULL DEFAULT 'UTC',
    max_workflow_execution_seconds     INTEGER NOT NULL DEFAULT 600,
    confirmation_timeout_seconds       INTEGER NOT NULL DEFAULT 300,
    sandbox_code_execution             BOOLEAN NOT NULL DEFAULT 0,
    feature_flags                      JSON NOT NULL DEFAULT '{}',
    updated_at                         DATETIME NOT NULL DEFAULT (CURRENT_TIMESTAMP),
    sandbox_mode                       VARCHAR(50),
    database_url                       TEXT,
    redis_url                          TEXT,
    log_level                          VARCHAR(10),
    log_file                           VARCHAR(1000),
    platform_base_url                  VARCHAR(500),
    cors_allow_all_origins             BOOLEAN,
    zombie_execution_threshold_seconds INTEGER,
    detected_environment               JSON
);
