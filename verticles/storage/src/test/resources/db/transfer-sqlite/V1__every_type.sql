-- Every kind of column the transfer code converts, a self-reference and a two-table cycle.
CREATE TABLE owners (
    id         INTEGER NOT NULL PRIMARY KEY,
    name       VARCHAR(100) NOT NULL,
    active     BOOLEAN NOT NULL DEFAULT 1,
    created_at DATETIME NOT NULL DEFAULT (CURRENT_TIMESTAMP),
    settings   JSON,
    ratio      FLOAT,
    cost       NUMERIC(12, 6) NOT NULL DEFAULT 0,
    avatar     BLOB,
    mentor_id  INTEGER REFERENCES owners (id) ON DELETE SET NULL,
    best_item  VARCHAR(36) REFERENCES items (id) ON DELETE SET NULL
);
CREATE TABLE items (
    id       VARCHAR(36) NOT NULL PRIMARY KEY,
    owner_id INTEGER NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
    payload  JSON NOT NULL DEFAULT '{}'
);
CREATE TABLE tags (
    label TEXT NOT NULL,
    item  VARCHAR(36) REFERENCES items (id)
);
