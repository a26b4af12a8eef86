-- Execution recovery needs the age of a `pending` execution, which Pipelit's table cannot tell (it has
-- no created_at and started_at stays NULL until the engine starts the run). created_at defaults to the
-- insert time in naive UTC, like every other timestamp of this database.
ALTER TABLE workflow_executions
    ADD COLUMN created_at TIMESTAMP DEFAULT (now() AT TIME ZONE 'utc');

-- Rows already there: their start when known, else the time of this migration (the default just
-- filled in): a pending one left behind is recovered one threshold after the upgrade, never before.
UPDATE workflow_executions SET created_at = COALESCE(started_at, created_at);

-- Retention orders each workflow's finished executions by completion.
CREATE INDEX ix_workflow_executions_workflow_completed ON workflow_executions (workflow_id, completed_at);
