package io.kanal.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What Linux's {@code /proc} tells about another process: CPU time from {@code /proc/PID/stat} (user plus system
 * time of every thread, living or ended) and memory from {@code /proc/PID/status} ({@code VmHWM}, the peak resident
 * set, and {@code VmRSS}, the current one).
 */
public final class ProcStats {

    /** Fields of {@code /proc/PID/stat} counted from the one after the command name, which may hold spaces. */
    private static final int UTIME_AFTER_COMM = 11;
    private static final int STIME_AFTER_COMM = 12;
    private static final int CUTIME_AFTER_COMM = 13;
    private static final int CSTIME_AFTER_COMM = 14;

    private final long clockTicksPerSecond;

    /** @param clockTicksPerSecond the unit of the stat file's times, {@code getconf CLK_TCK} (almost always 100) */
    public ProcStats(long clockTicksPerSecond) {
        if (clockTicksPerSecond <= 0) {
            throw new IllegalArgumentException("clock ticks per second must be positive");
        }
        this.clockTicksPerSecond = clockTicksPerSecond;
    }

    /** Asks {@code getconf CLK_TCK}, and assumes 100 when that fails. */
    public static ProcStats forThisMachine() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(getconf.getInputStream().readAllBytes()).trim();
            if (getconf.waitFor() == 0) {
                return new ProcStats(Long.parseLong(out));
            }
        } catch (IOException | NumberFormatException e) {
            // fall through to Linux's usual value
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new ProcStats(100);
    }

    /** User plus system CPU seconds process {@code pid} has used so far. */
    public double cpuSeconds(long pid) throws IOException {
        return cpuSecondsFromStat(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
    }

    /**
     * CPU seconds of the ended and reaped children of process {@code pid} ({@code cutime + cstime}): for this JVM,
     * the tools it ran.
     */
    public double childrenCpuSeconds(long pid) throws IOException {
        return childrenCpuSecondsFromStat(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
    }

    /** Clock ticks (the unit of {@code /proc/stat} and {@code /proc/PID/stat}) as seconds. */
    public double seconds(long ticks) {
        return ticks / (double) clockTicksPerSecond;
    }

    /** Peak resident set of process {@code pid}, in bytes. */
    public static long peakRssBytes(long pid) throws IOException {
        return statusKilobytes(Files.readString(Path.of("/proc", Long.toString(pid), "status")), "VmHWM") * 1024;
    }

    /** Current resident set of process {@code pid}, in bytes. */
    public static long rssBytes(long pid) throws IOException {
        return statusKilobytes(Files.readString(Path.of("/proc", Long.toString(pid), "status")), "VmRSS") * 1024;
    }

    /**
     * The whole machine's CPU time so far, from the first line of {@code /proc/stat}: {@code [busy, total]} in
     * clock ticks, summed over all cores. Idle and I/O-wait time are not busy; steal time is (another guest had the
     * core).
     */
    public static long[] machineCpuTicks() throws IOException {
        return machineCpuTicksFromStat(Files.readString(Path.of("/proc/stat")));
    }

    static long[] machineCpuTicksFromStat(String stat) {
        String first = stat.lines().findFirst().orElse("");
        String[] fields = first.trim().split("\\s+");
        if (fields.length < 5 || !fields[0].equals("cpu")) {
            throw new IllegalArgumentException("not /proc/stat: " + first);
        }
        long total = 0;
        // user nice system idle iowait irq softirq steal; guest time is already counted in user
        for (int i = 1; i <= Math.min(8, fields.length - 1); i++) {
            total += Long.parseLong(fields[i]);
        }
        long idle = Long.parseLong(fields[4]) + (fields.length > 5 ? Long.parseLong(fields[5]) : 0);
        return new long[] {total - idle, total};
    }

    /** CPU seconds in the text of a {@code /proc/PID/stat} file. */
    double cpuSecondsFromStat(String stat) {
        String[] fields = fieldsAfterCommand(stat);
        return seconds(Long.parseLong(fields[UTIME_AFTER_COMM]) + Long.parseLong(fields[STIME_AFTER_COMM]));
    }

    /** Children's CPU seconds in the text of a {@code /proc/PID/stat} file. */
    double childrenCpuSecondsFromStat(String stat) {
        String[] fields = fieldsAfterCommand(stat);
        return seconds(Long.parseLong(fields[CUTIME_AFTER_COMM]) + Long.parseLong(fields[CSTIME_AFTER_COMM]));
    }

    private static String[] fieldsAfterCommand(String stat) {
        // The command name is in parentheses and may itself hold spaces and parentheses: the last ')' ends it.
        int end = stat.lastIndexOf(')');
        if (end < 0) {
            throw new IllegalArgumentException("not a /proc/PID/stat line: " + stat);
        }
        String[] fields = stat.substring(end + 1).trim().split("\\s+");
        if (fields.length <= CSTIME_AFTER_COMM) {
            throw new IllegalArgumentException("too few fields in /proc/PID/stat: " + stat);
        }
        return fields;
    }

    /** The value of a {@code Name:   123 kB} line of a {@code /proc/PID/status} file. */
    static long statusKilobytes(String status, String name) {
        for (String line : status.split("\n")) {
            if (line.startsWith(name + ":")) {
                String[] parts = line.substring(name.length() + 1).trim().split("\\s+");
                if (parts.length != 2 || !parts[1].equals("kB")) {
                    throw new IllegalArgumentException("unexpected /proc status line: " + line);
                }
                return Long.parseLong(parts[0]);
            }
        }
        throw new IllegalArgumentException("no " + name + " in /proc status");
    }
}
