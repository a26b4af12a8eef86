-- Credentials per type (reference §1.2): one child row per credentials row, removed with it.
-- Secret columns are TEXT: Fernet tokens are longer than Pipelit's VARCHAR sizes. Encrypted at rest
-- (FIELD_ENCRYPTION_KEY, Fernet token text): llm_credentials.api_key and custom_headers (JSON text,
-- then encrypted), git_credentials.ssh_private_key, access_token and webhook_secret,
-- tool_credentials.config (JSON text, then encrypted). '' is stored as ''.
-- gateway_credentials holds no secret: the gateway token is never stored locally.

CREATE TABLE llm_credentials (
    id                  INTEGER NOT NULL PRIMARY KEY,
    base_credentials_id INTEGER NOT NULL REFERENCES credentials (id) ON DELETE CASCADE,
    provider_type       VARCHAR(30) NOT NULL DEFAULT 'openai_compatible',
    api_key             TEXT NOT NULL DEFAULT '',
    base_url            VARCHAR(500) NOT NULL DEFAULT '',
    organization_id     VARCHAR(255) NOT NULL DEFAULT '',
    custom_headers      TEXT NOT NULL DEFAULT '',
    CONSTRAINT uq_llm_credentials_base_credentials_id UNIQUE (base_credentials_id)
);

CREATE TABLE git_credentials (
    id                  INTEGER NOT NULL PRIMARY KEY,
    base_credentials_id INTEGER NOT NULL REFERENCES credentials (id) ON DELETE CASCADE,
    provider            VARCHAR(20) NOT NULL DEFAULT 'github',
    credential_type     VARCHAR(20) NOT NULL DEFAULT 'token',
    ssh_private_key     TEXT NOT NULL DEFAULT '',
    access_token        TEXT NOT NULL DEFAULT '',
    username            VARCHAR(255) NOT NULL DEFAULT '',
    webhook_secret      TEXT NOT NULL DEFAULT '',
    CONSTRAINT uq_git_credentials_base_credentials_id UNIQUE (base_credentials_id)
);

CREATE TABLE gateway_credentials (
    id                    INTEGER NOT NULL PRIMARY KEY,
    base_credentials_id   INTEGER NOT NULL REFERENCES credentials (id) ON DELETE CASCADE,
    gateway_credential_id VARCHAR(255) NOT NULL,
    adapter_type          VARCHAR(50) NOT NULL,
    CONSTRAINT uq_gateway_credentials_base_credentials_id UNIQUE (base_credentials_id)
);

CREATE TABLE tool_credentials (
    id                  INTEGER NOT NULL PRIMARY KEY,
    base_credentials_id INTEGER NOT NULL REFERENCES credentials (id) ON DELETE CASCADE,
    tool_type           VARCHAR(20) NOT NULL DEFAULT 'api',
    config              TEXT NOT NULL DEFAULT '',
    is_preferred        BOOLEAN NOT NULL DEFAULT 0,
    CONSTRAINT uq_tool_credentials_base_credentials_id UNIQUE (base_credentials_id)
);
