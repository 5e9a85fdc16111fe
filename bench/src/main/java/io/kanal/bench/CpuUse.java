package io.kanal.bench;

import java.io.IOException;

/**
 * Where the machine's CPU went during one tool run: Kanal's process, the relay's (when the bench runs one), the
 * broker's, the tool's (a child of this JVM,
 * whose CPU time the kernel adds to this process's "children" time once it has been reaped), this JVM's own, and
 * whatever else ran on the machine. "Other" CPU is work the bench did not do, such as another build on a shared
 * machine: runs with much of it are not to be trusted.
 *
 * @param kanalSeconds   CPU seconds of Kanal's process
 * @param relaySeconds   CPU seconds of the TCP relay's process; 0 without one
 * @param brokerSeconds  CPU seconds of the broker's process
 * @param toolSeconds    CPU seconds of the tool's process
 * @param benchSeconds   CPU seconds of this JVM
 * @param machineSeconds busy CPU seconds of the whole machine, all cores
 * @param totalSeconds   CPU seconds the machine had, all cores (wall time times cores)
 */
record CpuUse(double kanalSeconds, double relaySeconds, double brokerSeconds, double toolSeconds, double benchSeconds,
              double machineSeconds, double totalSeconds) {

    /** Busy share of the whole machine, 0 to 1. */
    double machineBusy() {
        return totalSeconds <= 0 ? Double.NaN : machineSeconds / totalSeconds;
    }

    /** CPU seconds used by processes other than the bench's own. Never below 0 (the counters tick separately). */
    double otherSeconds() {
        return Math.max(0, machineSeconds - kanalSeconds - relaySeconds - brokerSeconds - toolSeconds - benchSeconds);
    }

    /** The counters at one moment. */
    record Snapshot(double kanal, double relay, double broker, double children, double self, long[] machineTicks) {

        /** @param relayPid the relay's process, or -1 when there is none */
        static Snapshot take(ProcStats proc, long kanalPid, long relayPid, long brokerPid) throws IOException {
            long self = ProcessHandle.current().pid();
            return new Snapshot(proc.cpuSeconds(kanalPid), relayPid < 0 ? 0 : proc.cpuSeconds(relayPid),
                    proc.cpuSeconds(brokerPid), proc.childrenCpuSeconds(self), proc.cpuSeconds(self),
                    ProcStats.machineCpuTicks());
        }

        /** What was used from {@code before} to this snapshot. */
        CpuUse since(Snapshot before, ProcStats proc) {
            return new CpuUse(kanal - before.kanal, relay - before.relay, broker - before.broker, children - before.children,
                    self - before.self, proc.seconds(machineTicks[0] - before.machineTicks[0]),
                    proc.seconds(machineTicks[1] - before.machineTicks[1]));
        }
    }
}
