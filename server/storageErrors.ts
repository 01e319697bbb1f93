/**
 * SQLite failures (node:sqlite throws ERR_SQLITE_ERROR with SQLite's `errcode`) turned into errors that name
 * the cause: at start-up a DataDirError naming the database path; during a request an
 * HttpError a client can act on (507 disk full, 503 read-only or busy) instead of a bare 500.
 */
import { DataDirError } from "./dataDir";
import { HttpError } from "./errors";

interface SqliteError extends Error {
  code: "ERR_SQLITE_ERROR";
  errcode: number;
  errstr?: string;
}

/** Duck-typed: node:sqlite's errors may come from another realm (jest's vm), where instanceof Error fails. */
export function isSqliteError(err: unknown): err is SqliteError {
  return (
    typeof err === "object" &&
    err !== null &&
    (err as Partial<SqliteError>).code === "ERR_SQLITE_ERROR" &&
    typeof (err as SqliteError).errcode === "number"
  );
}

// primary result codes (errcode & 0xff), https://sqlite.org/rescode.html
const BUSY = 5;
const LOCKED = 6;
const READONLY = 8;
const IOERR = 10;
const CORRUPT = 11;
const FULL = 13;
const CANTOPEN = 14;
const NOTADB = 26;

/** SQLITE_BUSY or SQLITE_LOCKED: another connection holds the lock this statement needs. */
export function isBusyError(err: unknown): boolean {
  return isSqliteError(err) && ((err.errcode & 0xff) === BUSY || (err.errcode & 0xff) === LOCKED);
}

/** A start-up failure of the database at `path`, with what to do. */
export function openError(err: unknown, path: string, dir: string): Error {
  if (err instanceof DataDirError || !isSqliteError(err)) {
    if (err instanceof DataDirError) return err;
    const message = typeof err === "object" && err !== null && "message" in err ? String((err as Error).message) : String(err);
    return new DataDirError(`cannot open the database ${path}: ${message}`, { cause: err });
  }
  const what = `${err.message} (SQLite code ${err.errcode})`;
  switch (err.errcode & 0xff) {
    case CANTOPEN:
      return new DataDirError(
        `cannot open the database ${path}: ${what}; check that ${dir} exists and is writable by this user (SQLite also creates ${path}-wal and -shm there)`,
        { cause: err },
      );
    case READONLY:
      return new DataDirError(`the database ${path} is read-only: ${what}; make ${dir} and its files writable by this user`, {
        cause: err,
      });
    case NOTADB:
    case CORRUPT:
      return new DataDirError(
        `${path} is not a usable SQLite database: ${what}; move it aside (or restore a backup) or pass another --data directory`,
        { cause: err },
      );
    case FULL:
      return new DataDirError(`cannot write the database ${path}: ${what}; free disk space and start again`, { cause: err });
    default:
      return new DataDirError(`cannot open the database ${path}: ${what}`, { cause: err });
  }
}

/** A request-time storage failure as an HttpError, or null when it is not one we can name. */
export function storageHttpError(err: unknown): HttpError | null {
  if (!isSqliteError(err)) return null;
  switch (err.errcode & 0xff) {
    case FULL:
      return new HttpError(
        507,
        "storage_full",
        "the server could not save the change because its disk is full; nothing was written, free disk space on the server and retry",
      );
    case READONLY:
      return new HttpError(
        503,
        "storage_read_only",
        "the server's data directory is read-only; nothing was written, make it writable and retry",
      );
    case BUSY:
    case LOCKED:
      return new HttpError(503, "storage_busy", "the database is locked by another process; retry in a moment", { "Retry-After": "1" });
    case IOERR:
      return new HttpError(500, "storage_error", "the database could not be read or written (disk I/O error); see the server log");
    default:
      return null;
  }
}

/** One log-safe line: SQLite's own message and code, which never hold request data. */
export function describeForLog(err: unknown, dbPath?: string): string {
  if (isSqliteError(err)) return `SQLite code ${err.errcode}: ${err.message}${dbPath ? ` (${dbPath})` : ""}`;
  if (typeof err !== "object" || err === null) return typeof err;
  const { name, code } = err as { name?: unknown; code?: unknown };
  // the class and code only: an error message may quote request data
  return `${typeof name === "string" ? name : "Error"}${typeof code === "string" ? ` ${code}` : ""}`;
}
