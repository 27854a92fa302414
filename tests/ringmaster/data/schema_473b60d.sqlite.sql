-- The application tables as ringmaster 473b60d (the last release before migrations)
-- created them on sqlite: generated from that commit's ringmaster/tables.py.

CREATE TABLE rm_api_tokens (
	hash VARCHAR(64) NOT NULL, 
	user VARCHAR(64) NOT NULL, 
	label VARCHAR(100) NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (hash)
);

CREATE INDEX ix_api_tokens_user ON rm_api_tokens (user);

CREATE TABLE rm_audit_events (
	seq INTEGER NOT NULL, 
	thread_id VARCHAR(64) NOT NULL, 
	at DATETIME NOT NULL, 
	actor VARCHAR(200) NOT NULL, 
	kind VARCHAR(40) NOT NULL, 
	data JSON NOT NULL, 
	prev_hash VARCHAR(64) NOT NULL, 
	hash VARCHAR(64) NOT NULL, 
	PRIMARY KEY (seq)
);

CREATE INDEX ix_audit_thread ON rm_audit_events (thread_id, seq);

CREATE TABLE rm_corrections (
	id INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	thread_id VARCHAR(64) NOT NULL, 
	subtask_id VARCHAR(64) NOT NULL, 
	text TEXT NOT NULL, 
	wrong_agent VARCHAR(64), 
	right_agent VARCHAR(64) NOT NULL, 
	reviewer VARCHAR(200) NOT NULL, 
	PRIMARY KEY (id)
);

CREATE TABLE rm_notifications (
	id INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	item_id VARCHAR(64) NOT NULL, 
	thread_id VARCHAR(64) NOT NULL, 
	channel VARCHAR(16) NOT NULL, 
	recipient VARCHAR(500) NOT NULL, 
	payload JSON NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	error TEXT, 
	PRIMARY KEY (id)
);

CREATE TABLE rm_review_items (
	id VARCHAR(64) NOT NULL, 
	thread_id VARCHAR(64) NOT NULL, 
	turn INTEGER NOT NULL, 
	subtask_id VARCHAR(64) NOT NULL, 
	kind VARCHAR(32) NOT NULL, 
	agent VARCHAR(64), 
	category VARCHAR(64), 
	priority INTEGER NOT NULL, 
	requester VARCHAR(200) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	summary TEXT NOT NULL, 
	payload JSON NOT NULL, 
	decision JSON, 
	decided_by VARCHAR(200), 
	claimed_by VARCHAR(200), 
	created_at DATETIME NOT NULL, 
	claimed_at DATETIME, 
	decided_at DATETIME, 
	resumed_at DATETIME, 
	deadline DATETIME, 
	escalated_at DATETIME, 
	assignee_group VARCHAR(64), 
	PRIMARY KEY (id)
);

CREATE INDEX ix_review_status_deadline ON rm_review_items (status, deadline);

CREATE INDEX ix_review_status_order ON rm_review_items (status, priority DESC, created_at, id);

CREATE INDEX ix_review_thread_status ON rm_review_items (thread_id, status);

CREATE TABLE rm_threads (
	id VARCHAR(64) NOT NULL, 
	requester VARCHAR(200) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	turn INTEGER NOT NULL, 
	last_request TEXT, 
	error TEXT, 
	lock_owner VARCHAR(200), 
	locked_at DATETIME, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);

CREATE TABLE rm_usage (
	thread_id VARCHAR(64) NOT NULL, 
	turn INTEGER NOT NULL, 
	model_calls INTEGER NOT NULL, 
	input_tokens INTEGER NOT NULL, 
	output_tokens INTEGER NOT NULL, 
	refused_calls INTEGER NOT NULL, 
	per_node JSON NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (thread_id, turn)
);

CREATE TABLE rm_users (
	name VARCHAR(64) NOT NULL, 
	role VARCHAR(16) NOT NULL, 
	scopes JSON, 
	priority VARCHAR(8) NOT NULL, 
	disabled BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (name)
);

CREATE TABLE rm_web_sessions (
	hash VARCHAR(64) NOT NULL, 
	user VARCHAR(64) NOT NULL, 
	csrf VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	expires_at DATETIME NOT NULL, 
	PRIMARY KEY (hash)
);
