-- The Alembic-at-head forms (§1.13, §1.14): telegram_user_id left behind and no UNIQUE on
-- external_user_id, the role CHECK, named api_keys constraint with server defaults, TEXT secret columns,
-- plus alembic_version and the orphaned epics/tasks tables.
CREATE TABLE user_profiles (
	id INTEGER NOT NULL,
	username VARCHAR(150) NOT NULL,
	password_hash VARCHAR(255) NOT NULL,
	first_name VARCHAR(150) NOT NULL,
	last_name VARCHAR(150) NOT NULL,
	telegram_user_id BIGINT,
	github_username VARCHAR(255) NOT NULL,
	gitlab_username VARCHAR(255) NOT NULL,
	created_at DATETIME DEFAULT (CURRENT_TIMESTAMP) NOT NULL,
	created_by_agent_id INTEGER,
	totp_secret VARCHAR(500),
	mfa_enabled BOOLEAN DEFAULT 0 NOT NULL,
	totp_last_used_at INTEGER,
	external_user_id VARCHAR(255),
	role VARCHAR(10) DEFAULT 'normal' NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (username),
	UNIQUE (telegram_user_id),
	CONSTRAINT fk_user_profiles_created_by_agent_id FOREIGN KEY(created_by_agent_id) REFERENCES user_profiles (id) ON DELETE SET NULL,
	CONSTRAINT ck_user_profiles_role CHECK (role IN ('admin', 'normal'))
);
CREATE TABLE api_keys (
	id INTEGER NOT NULL,
	user_id INTEGER NOT NULL,
	"key" VARCHAR(36) NOT NULL,
	created_at DATETIME DEFAULT (CURRENT_TIMESTAMP) NOT NULL,
	name VARCHAR(100) DEFAULT 'default' NOT NULL,
	prefix VARCHAR(8) DEFAULT '' NOT NULL,
	last_used_at DATETIME,
	expires_at DATETIME,
	is_active BOOLEAN DEFAULT '1' NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(user_id) REFERENCES user_profiles (id) ON DELETE CASCADE,
	CONSTRAINT uq_api_keys_key UNIQUE ("key")
);
CREATE TABLE llm_credentials (
	id INTEGER NOT NULL,
	base_credentials_id INTEGER NOT NULL,
	provider_type VARCHAR(30) NOT NULL,
	api_key TEXT NOT NULL,
	base_url VARCHAR(500) NOT NULL,
	organization_id VARCHAR(255) NOT NULL,
	custom_headers JSON NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (base_credentials_id),
	FOREIGN KEY(base_credentials_id) REFERENCES credentials (id) ON DELETE CASCADE
);
CREATE TABLE git_credentials (
	id INTEGER NOT NULL,
	base_credentials_id INTEGER NOT NULL,
	provider VARCHAR(20) NOT NULL,
	credential_type VARCHAR(20) NOT NULL,
	ssh_private_key TEXT NOT NULL,
	access_token TEXT NOT NULL,
	username VARCHAR(255) NOT NULL,
	webhook_secret VARCHAR(255) NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (base_credentials_id),
	FOREIGN KEY(base_credentials_id) REFERENCES credentials (id) ON DELETE CASCADE
);
CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL,
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
CREATE TABLE epics (
	id VARCHAR(20) NOT NULL,
	title VARCHAR(255),
	description TEXT,
	tags JSON,
	created_by_node_id VARCHAR(255),
	workflow_id INTEGER,
	user_profile_id INTEGER,
	status VARCHAR(20) DEFAULT 'planning',
	priority INTEGER DEFAULT 2,
	budget_usd NUMERIC(12, 6),
	spent_usd NUMERIC(12, 6),
	created_at DATETIME DEFAULT (CURRENT_TIMESTAMP),
	PRIMARY KEY (id),
	FOREIGN KEY(workflow_id) REFERENCES workflows (id) ON DELETE SET NULL,
	FOREIGN KEY(user_profile_id) REFERENCES user_profiles (id) ON DELETE SET NULL
);
CREATE TABLE tasks (
	id VARCHAR(20) NOT NULL,
	epic_id VARCHAR(20),
	title VARCHAR(255),
	depends_on JSON,
	notes JSON,
	status VARCHAR(20),
	PRIMARY KEY (id),
	FOREIGN KEY(epic_id) REFERENCES epics (id) ON DELETE CASCADE
);
