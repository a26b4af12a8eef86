-- Tables of a Pipelit database (shared/reference/pipelit-persistence.md §1.2-§1.12) that are the same in
-- its create_all and Alembic forms; user_profiles, api_keys and the secret-holding credential tables
-- differ (§1.14) and come from create-all.sql / alembic.sql. Not every dormant table is here.
CREATE TABLE credentials (
	id INTEGER NOT NULL,
	user_profile_id INTEGER NOT NULL,
	name VARCHAR(255) NOT NULL,
	credential_type VARCHAR(20) NOT NULL,
	created_at DATETIME DEFAULT (CURRENT_TIMESTAMP) NOT NULL,
	updated_at DATETIME DEFAULT (CURRENT_TIMESTAMP) NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(user_profile_id) REFERENCES user_profiles (id) ON DELETE CASCADE
);
CREATE TABLE gateway_credentials (
	id INTEGER NOT NULL,
	base_credentials_id INTEGER NOT NULL,
	gateway_credential_id VARCHAR(255) NOT NULL,
	adapter_type VARCHAR(50) NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (base_credentials_id),
	FOREIGN KEY(base_credentials_id) REFERENCES credentials (id) ON DELETE CASCADE
);
CREATE TABLE tool_credentials (
	id INTEGER NOT NULL,
	base_credentials_id INTEGER NOT NULL,
	tool_type VARCHAR(20) NOT NULL,
	config JSON NOT NULL,
	is_preferred BOOLEAN NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (base_credentials_id),
	FOREIGN KEY(base_credentials_id) REFERENCES credentials (id) ON DELETE CASCADE
);
CREATE TABLE tool_definitions (
	id INTEGER NOT NULL,
	name VARCHAR(255) NOT NULL,
	tool_type VARCHAR(20) NOT NULL,
	description TEXT NOT NULL,
	input_schema JSON,
	default_config JSON NOT NULL,
	credential_type VARCHAR(20) NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (name)
);
CREATE TABLE workflows (
	id INTEGER NOT NULL,
	name VARCHAR(255) NOT NULL,
	slug VARCHAR(255) NOT NULL,
	description TEXT NOT NULL,
	owner_id INTEGER NOT NULL,
	repository_id INTEGER,
	is_active BOOLEAN NOT NULL,
	is_public BOOLEAN NOT NULL,
	is_template BOOLEAN NOT NULL,
	is_callable BOOLEAN NOT NULL,
	is_default BOOLEAN NOT NULL,
	forked_from_id INTEGER,
	error_handler_workflow_id INTEGER,
	tags JSON,
	max_execution_seconds INTEGER DEFAULT '600' NOT NULL,
	input_schema JSON,
	output_schema JSON,
	created_at DATETIME DEFAULT (CURRENT_TIMESTAMP) NOT NULL,
	updated_at DATETIME DEFAULT (CURRENT_TIMESTAMP) NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(owner_id) REFERENCES user_profiles (id) ON DELETE CASCADE,
	FOREIGN KEY(forked_from_id) REFERENCES workflows (id) ON DELETE SET NULL,
	FOREIGN KEY(error_handler_workflow_id) REFERENCES workflows (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX ix_workflows_slug ON workflows (slug);
CREATE TABLE component_configs (
	id INTEGER NOT NULL,
	component_type VARCHAR(30) NOT NULL,
	extra_config JSON NOT NULL,
	updated_at DATETIME DEFAULT (CURRENT_TIMESTAMP) NOT NULL,
	llm_credential_id INTEGER,
	model_name VARCHAR(255),
	temperature FLOAT,
	max_tokens INTEGER,
	frequency_penalty FLOAT,
	presence_penalty FLOAT,
	top_p FLOAT,
	timeout INTEGER,
	max_retries INTEGER,
	response_format JSON,
	llm_model_config_id INTEGER,
	system_prompt TEXT,
	code_language VARCHAR(20),
	code_snippet TEXT,
	credential_id INTEGER,
	is_active BOOLEAN,
	priority INTEGER,
	trigger_config JSON,
	PRIMARY KEY (id),
	FOREIGN KEY(llm_credential_id) REFERENCES credentials (id) ON DELETE SET NULL,
	CONSTRAINT fk_llm_model_config FOREIGN KEY(llm_model_config_id) REFERENCES component_configs (id) ON DELETE SET NULL,
	CONSTRAINT fk_trigger_credential FOREIGN KEY(credential_id) REFERENCES credentials (id) ON DELETE SET NULL
);
CREATE TABLE workflow_nodes (
	id INTEGER NOT NULL,
	workflow_id INTEGER NOT NULL,
	node_id VARCHAR(255) NOT NULL,
	label VARCHAR(255),
	component_type VARCHAR(30) NOT NULL,
	component_config_id INTEGER NOT NULL,
	subworkflow_id INTEGER,
	code_block_id INTEGER,
	is_entry_point BOOLEAN NOT NULL,
	interrupt_before BOOLEAN NOT NULL,
	interrupt_after BOOLEAN NOT NULL,
	position_x INTEGER NOT NULL,
	position_y INTEGER NOT NULL,
	updated_at DATETIME DEFAULT (CURRENT_TIMESTAMP) NOT NULL,
	PRIMARY KEY (id),
	CONSTRAINT uq_workflow_node_id UNIQUE (workflow_id, node_id),
	FOREIGN KEY(workflow_id) REFERENCES workflows (id) ON DELETE CASCADE,
	FOREIGN KEY(component_config_id) REFERENCES component_configs (id) ON DELETE CASCADE,
	FOREIGN KEY(subworkflow_id) REFERENCES workflows (id) ON DELETE SET NULL
);
CREATE TABLE workflow_edges (
	id INTEGER NOT NULL,
	workflow_id INTEGER NOT NULL,
	source_node_id VARCHAR(255) NOT NULL,
	target_node_id VARCHAR(255) NOT NULL,
	edge_type VARCHAR(15) NOT NULL,
	edge_label VARCHAR(20) NOT NULL,
	condition_mapping JSON,
	condition_value VARCHAR(100) DEFAULT '' NOT NULL,
	priority INTEGER NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(workflow_id) REFERENCES workflows (id) ON DELETE CASCADE
);
CREATE TABLE workflow_executions (
	execution_id VARCHAR(36) NOT NULL,
	workflow_id INTEGER NOT NULL,
	trigger_node_id INTEGER,
	parent_execution_id VARCHAR(36),
	parent_node_id VARCHAR(255) NOT NULL,
	user_profile_id INTEGER NOT NULL,
	thread_id VARCHAR(255) NOT NULL,
	status VARCHAR(15) NOT NULL,
	trigger_payload JSON,
	final_output JSON,
	retry_count INTEGER NOT NULL,
	max_retries INTEGER NOT NULL,
	error_message TEXT NOT NULL,
	started_at DATETIME,
	completed_at DATETIME,
	total_input_tokens INTEGER DEFAULT '0' NOT NULL,
	total_output_tokens INTEGER DEFAULT '0' NOT NULL,
	total_tokens INTEGER DEFAULT '0' NOT NULL,
	total_cost_usd NUMERIC(12, 6) DEFAULT '0' NOT NULL,
	llm_calls INTEGER DEFAULT '0' NOT NULL,
	PRIMARY KEY (execution_id),
	FOREIGN KEY(workflow_id) REFERENCES workflows (id) ON DELETE CASCADE,
	FOREIGN KEY(trigger_node_id) REFERENCES workflow_nodes (id) ON DELETE SET NULL,
	FOREIGN KEY(parent_execution_id) REFERENCES workflow_executions (execution_id) ON DELETE SET NULL,
	FOREIGN KEY(user_profile_id) REFERENCES user_profiles (id) ON DELETE CASCADE
);
CREATE TABLE execution_logs (
	id INTEGER NOT NULL,
	execution_id VARCHAR(36) NOT NULL,
	node_id VARCHAR(255) NOT NULL,
	status VARCHAR(15) NOT NULL,
	input JSON,
	output JSON,
	error TEXT NOT NULL,
	error_code VARCHAR(50),
	metadata JSON DEFAULT '{}',
	retry_count INTEGER DEFAULT '0' NOT NULL,
	duration_ms INTEGER NOT NULL,
	timestamp DATETIME DEFAULT (CURRENT_TIMESTAMP) NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(execution_id) REFERENCES workflow_executions (execution_id) ON DELETE CASCADE
);
CREATE TABLE pending_tasks (
	task_id VARCHAR(8) NOT NULL,
	execution_id VARCHAR(36) NOT NULL,
	user_profile_id INTEGER NOT NULL,
	chat_id VARCHAR(255),
	credential_id VARCHAR(255),
	node_id VARCHAR(255) NOT NULL,
	prompt TEXT NOT NULL,
	created_at DATETIME DEFAULT (CURRENT_TIMESTAMP) NOT NULL,
	expires_at DATETIME NOT NULL,
	PRIMARY KEY (task_id),
	FOREIGN KEY(execution_id) REFERENCES workflow_executions (execution_id) ON DELETE CASCADE,
	FOREIGN KEY(user_profile_id) REFERENCES user_profiles (id) ON DELETE CASCADE
);
CREATE TABLE workspaces (
	id INTEGER NOT NULL,
	name VARCHAR(100) NOT NULL,
	path VARCHAR(500) NOT NULL,
	allow_network BOOLEAN NOT NULL,
	env_vars JSON NOT NULL,
	created_at DATETIME DEFAULT (CURRENT_TIMESTAMP) NOT NULL,
	user_profile_id INTEGER NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (name),
	FOREIGN KEY(user_profile_id) REFERENCES user_profiles (id) ON DELETE CASCADE
);
CREATE TABLE system_config (
	id INTEGER NOT NULL,
	default_llm_credential_id INTEGER,
	default_llm_model_name VARCHAR(255) NOT NULL,
	default_timezone VARCHAR(50) NOT NULL,
	max_workflow_execution_seconds INTEGER NOT NULL,
	confirmation_timeout_seconds INTEGER NOT NULL,
	sandbox_code_execution BOOLEAN NOT NULL,
	feature_flags JSON NOT NULL,
	updated_at DATETIME DEFAULT (CURRENT_TIMESTAMP) NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(default_llm_credential_id) REFERENCES credentials (id) ON DELETE SET NULL
);
