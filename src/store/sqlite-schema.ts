import type Database from 'better-sqlite3';
import { lowerCaseRequestKeys } from './sqlite-lower-keys';

/**
 * Each entry moves the schema from version i to i + 1; append new ones, never edit old ones,
 * because files already on disk have run them.
 */
const MIGRATIONS: readonly (string | ((db: Database.Database) => void))[] = [
  `
  CREATE TABLE requests (
    key TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    etag TEXT NOT NULL,
    open INTEGER NOT NULL CHECK (open IN (0, 1)),
    updated_at TEXT NOT NULL
  );
  CREATE INDEX requests_open ON requests (open) WHERE open = 1;

  CREATE TABLE conversations (
    user_id TEXT PRIMARY KEY,
    body TEXT NOT NULL
  );

  CREATE TABLE cards (
    request_key TEXT NOT NULL,
    user_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    activity_id TEXT,
    posted_at TEXT,
    PRIMARY KEY (request_key, user_id)
  );

  CREATE TABLE audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    request_key TEXT,
    kind TEXT NOT NULL,
    body TEXT NOT NULL
  );
  CREATE INDEX audit_request ON audit (request_key, seq);

  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  `
  CREATE TABLE confirmations (
    id TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    expires_at TEXT NOT NULL
  );
  CREATE INDEX audit_kind ON audit (kind, seq);
  `,
  `
  CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  `,
  `
  CREATE TABLE deliveries (
    id TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    etag TEXT NOT NULL,
    priority INTEGER NOT NULL,
    due_by TEXT NOT NULL,
    enqueued_at TEXT NOT NULL,
    available_at TEXT NOT NULL
  );
  CREATE INDEX deliveries_order ON deliveries (priority, due_by, enqueued_at, id);
  `,
  lowerCaseRequestKeys,
];

/** The schema version this code writes; stored in the file's user_version pragma. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the file up to SCHEMA_VERSION; refuses a file written by newer code rather than guess at it. */
export function migrate(db: Database.Database): void {
  const upgrade = db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > SCHEMA_VERSION) {
      throw new Error(`Database ${db.name} has schema version ${current}, newer than ${SCHEMA_VERSION} which this build knows.`);
    }
    for (let version = current; version < SCHEMA_VERSION; version++) {
      const step = MIGRATIONS[version]!;
      if (typeof step === 'string') db.exec(step);
      else step(db);
    }
    // PRAGMA takes no bound parameters; SCHEMA_VERSION is a number we control.
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  });
  // IMMEDIATE takes the write lock before reading the version, so two processes opening a fresh file do not both migrate.
  upgrade.immediate();
}
