-- The create_all forms of the tables that differ (§1.1, §1.2, §1.14).
CREATE TABLE user_profiles (
	id INTEGER NOT NULL,
	username VARCHAR(150) NOT NULL,
	password_hash VARCHAR(255) NOT NULL,
	first_name VARCHAR(150) NOT NULL,
	last_name VARCHAR(150) NOT NULL,
	external_user_id VARCHAR(255),
	github_username VARCHAR(255) NOT NULL,
	gitlab_username VARCHAR(255) NOT NULL,
	created_at DATETIME DEFAULT (CURRENT_TIMESTAMP) NOT NULL,
	role VARCHAR(10) NOT NULL,
	created_by_agent_id INTEGER,
	totp_secret VARCHAR(500),
	mfa_enabled BOOLEAN NOT NULL,
	totp_last_used_at INTEGER,
	PRIMARY KEY (id),
	UNIQUE (username),
	UNIQUE (external_user_id),
	FOREIGN KEY(created_by_agent_id) REFERENCES user_profiles (id) ON DELETE SET NULL
);
CREATE TABLE api_keys (
	id INTEGER NOT NULL,
	user_id INTEGER NOT NULL,
	"key" VARCHAR(36) NOT NULL,
	name VARCHAR(100) NOT NULL,
	prefix VARCHAR(8) NOT NULL,
	created_at DATETIME DEFAULT (CURRENT_TIMESTAMP) NOT NULL,
	last_used_at DATETIME,
	expires_at DATETIME,
	is_active BOOLEAN NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(user_id) REFERENCES user_profiles (id) ON DELETE CASCADE,
	UNIQUE ("key")
);
CREATE TABLE llm_credentials (
	id INTEGER NOT NULL,
	base_credentials_id INTEGER NOT NULL,
	provider_type VARCHAR(30) NOT NULL,
	api_key VARCHAR(500) NOT NULL,
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
	ssh_private_key VARCHAR(2000) NOT NULL,
	access_token VARCHAR(500) NOT NULL,
	username VARCHAR(255) NOT NULL,
	webhook_secret VARCHAR(255) NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (base_credentials_id),
	FOREIGN KEY(base_credentials_id) REFERENCES credentials (id) ON DELETE CASCADE
);
