/**
 * Peak memory of the dynamic provider process (`node …/@pulumi/pulumi/cmd/dynamic-provider`) during one CLI
 * command: polls /proc for such processes and keeps the largest VmHWM (peak resident set) seen. Linux only;
 * elsewhere it reports nothing.
 */
import * as fs from "node:fs";

function providerPeaksKiB(): number[] {
  if (!fs.existsSync("/proc")) return [];
  const peaks: number[] = [];
  for (const pid of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (!fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("cmd/dynamic-provider")) continue;
      const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
      if (hwm) peaks.push(Number(hwm[1]));
    } catch {
      // the process ended between readdir and read
    }
  }
  return peaks;
}

/** Samples every 100 ms until stop(); stop() resolves to the peak in MiB (0 when none was seen). */
export function sampleProviderRss(): { stop(): number } {
  let peak = 0;
  const tick = () => (peak = Math.max(peak, ...providerPeaksKiB()));
  const timer = setInterval(tick, 100);
  return {
    stop() {
      clearInterval(timer);
      tick();
      return Math.round((peak / 1024) * 10) / 10;
    },
  };
}
