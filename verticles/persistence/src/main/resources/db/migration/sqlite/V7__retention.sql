-- Execution recovery needs the age of a `pending` execution, which Pipelit's table cannot tell (it has
-- no created_at and started_at stays NULL until the engine starts the run). created_at is filled on
-- every insert that leaves it NULL, whoever inserts (pipelitd, a copy, a direct writer), by a trigger:
-- SQLite's ALTER TABLE cannot add a column with a non-constant default. Format: Pipelit's naive UTC text
-- with six fraction digits, like every other timestamp of this database.
ALTER TABLE workflow_executions ADD COLUMN created_at DATETIME;

-- Rows already there: their start when known, else the time of this migration (a pending one left
-- behind is then recovered one threshold after the upgrade, never before).
UPDATE workflow_executions
   SET created_at = COALESCE(started_at, strftime('%Y-%m-%d %H:%M:%f', 'now') || '000');

CREATE TRIGGER workflow_executions_created_at AFTER INSERT ON workflow_executions
FOR EACH ROW WHEN NEW.created_at IS NULL
BEGIN
    UPDATE workflow_executions
       SET created_at = strftime('%Y-%m-%d %H:%M:%f', 'now') || '000'
     WHERE execution_id = NEW.execution_id;
END;

-- Recovery looks for stuck executions by status (ix_workflow_executions_status exists); retention
-- orders each workflow's finished executions by completion.
CREATE INDEX ix_workflow_executions_workflow_completed ON workflow_executions (workflow_id, completed_at);
