-- Deactivated users (DELETE /users/{id}, `pipelitd users deactivate`): they can neither log in nor use
-- any key. Pipelit has no such column (its soft delete only deactivates keys, and a login re-activates
-- the session key); pipelitd adds one. Existing users stay active.
ALTER TABLE user_profiles ADD COLUMN is_active BOOLEAN NOT NULL DEFAULT TRUE;
