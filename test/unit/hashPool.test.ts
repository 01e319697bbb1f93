import { availableParallelism } from "node:os";
import bcrypt from "bcryptjs";
import { HashPool, sharedHashPool } from "../../server/hashPool";

describe("bcrypt worker pool", () => {
  const pool = new HashPool(2);
  afterAll(() => pool.close());

  test("the shared pool leaves one core to the event loop (and has at least one worker)", () => {
    expect(sharedHashPool().size).toBe(Math.max(1, availableParallelism() - 1));
  });

  test("hashes are real bcrypt hashes that bcryptjs verifies, and compare agrees", async () => {
    const hash = await pool.hash("s3cret", 4);
    expect(hash).toMatch(/^\$2b\$04\$/);
    expect(bcrypt.compareSync("s3cret", hash)).toBe(true);
    expect(await pool.compare("s3cret", hash)).toBe(true);
    expect(await pool.compare("wrong", hash)).toBe(false);
  });

  test("more tasks than workers queue and all complete", async () => {
    const hashes = await Promise.all(Array.from({ length: 9 }, (_, i) => pool.hash(`p${i}`, 4)));
    const checks = await Promise.all(hashes.map((h, i) => pool.compare(`p${i}`, h)));
    expect(checks).toEqual(Array(9).fill(true));
  });

  test("a failing task rejects with bcrypt's reason and the pool keeps working", async () => {
    // a string where the cost goes is read by bcryptjs as a salt, and refused
    await expect(pool.hash("x", "bad salt" as unknown as number)).rejects.toThrow(/^bcrypt failed: Invalid salt/);
    expect(await pool.compare("x", await pool.hash("x", 4))).toBe(true);
  });
});
