/**
 * The data directory holds key material: the HMAC pepper (`pepper`) and the JWT signing key (inside
 * `kataven.db`). Anyone who can read them can confirm keys or forge widget sessions, so:
 *   - a new directory is created 0700, the pepper and the database files 0600 (whatever the umask);
 *   - the server refuses to start, naming the path and the chmod that fixes it, when the directory or any
 *     key file is open to group or others, or when the pepper file is empty, not hex, or not a file.
 * Every refusal is a DataDirError whose message names the path and what to do.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync, type Stats } from "node:fs";
import { join } from "node:path";

export const DB_FILE = "kataven.db";
export const PEPPER_FILE = "pepper";
/** SQLite's companions of the database in WAL mode; they hold database pages too. */
const DB_COMPANIONS = ["-wal", "-shm"];
const PEPPER_MIN_BYTES = 16;

export class DataDirError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DataDirError";
  }
}

const octal = (mode: number) => (mode & 0o777).toString(8).padStart(4, "0");

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new DataDirError(
      `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); check its permissions`,
      { cause: err },
    );
  }
}

/** Creates the directory 0700, or checks that an existing one is a directory closed to group and others. */
export function prepareDataDir(dir: string): void {
  const st = statOrNull(dir);
  if (!st) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      chmodSync(dir, 0o700);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new DataDirError(
        `cannot create the data directory ${dir} (${code}); create it yourself with "mkdir -m 700 ${dir}" or pass another --data`,
        { cause: err },
      );
    }
    return;
  }
  if (!st.isDirectory())
    throw new DataDirError(`the data directory ${dir} is not a directory; pass --data a directory (it is created if missing)`);
  if (st.mode & 0o077) {
    throw new DataDirError(
      `the data directory ${dir} is open to group or others (mode ${octal(st.mode)}) and holds the JWT signing key and the HMAC pepper; run "chmod 700 ${dir}" and start again`,
    );
  }
}

/** Refuses key files (pepper, database and its WAL companions) readable or writable by group or others. */
export function checkKeyFilesPrivate(dir: string): void {
  for (const name of [PEPPER_FILE, DB_FILE, ...DB_COMPANIONS.map((s) => DB_FILE + s)]) {
    const path = join(dir, name);
    const st = statOrNull(path);
    if (st && st.isFile() && st.mode & 0o077) {
      throw new DataDirError(
        `${path} is open to group or others (mode ${octal(st.mode)}) and holds key material; run "chmod 600 ${path}" and start again (rotate keys if others may have read it)`,
      );
    }
  }
}

/** Creates an empty database file 0600 before SQLite opens it, so its WAL and SHM files inherit 0600. */
export function createDbFilePrivately(dir: string): void {
  const path = join(dir, DB_FILE);
  if (statOrNull(path)) return;
  try {
    closeSync(openSync(path, "a", 0o600));
    chmodSync(path, 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new DataDirError(`cannot create the database ${path} (${code}); check that ${dir} is writable by this user`, { cause: err });
  }
}

function decodePepper(path: string, text: string): Buffer {
  const hex = text.trim();
  if (hex === "") {
    throw new DataDirError(
      `the pepper file ${path} is empty; restore it from a backup (without it no stored key can be verified) or start with a new data directory`,
    );
  }
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex) || hex.length < PEPPER_MIN_BYTES * 2) {
    throw new DataDirError(
      `the pepper file ${path} does not hold a hex pepper (at least ${PEPPER_MIN_BYTES * 2} hex digits); restore it from a backup or start with a new data directory`,
    );
  }
  return Buffer.from(hex, "hex");
}

function readPepperFile(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return null;
    if (code === "EISDIR")
      throw new DataDirError(`${path} is a directory, not the pepper file; remove it (or move it aside) and start again`, { cause: err });
    throw new DataDirError(`cannot read the pepper file ${path} (${code ?? (err as Error).message}); check its permissions`, {
      cause: err,
    });
  }
}

/** Reads the pepper, creating it (32 random bytes as hex, 0600) the first time. */
export function readOrCreatePepper(dir: string): Buffer {
  const path = join(dir, PEPPER_FILE);
  let text = readPepperFile(path);
  if (text === null) {
    try {
      writeFileSync(path, randomBytes(32).toString("hex") + "\n", { mode: 0o600, flag: "wx" });
      chmodSync(path, 0o600);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== "EEXIST")
        throw new DataDirError(`cannot create the pepper file ${path} (${code ?? (err as Error).message}); check that ${dir} is writable`, {
          cause: err,
        });
    }
    text = readPepperFile(path) ?? "";
  }
  return decodePepper(path, text);
}
