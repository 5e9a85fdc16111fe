package io.kanal.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** What the bench prints about the machine it ran on, so that its figures can be read in context. */
final class MachineInfo {

    private MachineInfo() {
    }

    /** Cores, CPU model, memory, Java and OS on one line. */
    static String describe() {
        String model = firstValue(Path.of("/proc/cpuinfo"), "model name");
        String memory = firstValue(Path.of("/proc/meminfo"), "MemTotal");
        String memoryText = "?";
        if (memory != null) {
            try {
                memoryText = String.format(Locale.ROOT, "%.1f GiB",
                        Long.parseLong(memory.replace("kB", "").trim()) / (1024.0 * 1024));
            } catch (NumberFormatException e) {
                memoryText = memory;
            }
        }
        return String.format(Locale.ROOT, "machine: %d cores (%s), %s RAM; Java %s (%s); %s %s",
                Runtime.getRuntime().availableProcessors(), model == null ? "unknown CPU" : model, memoryText,
                System.getProperty("java.version"), System.getProperty("java.vm.name"),
                System.getProperty("os.name"), System.getProperty("os.version"));
    }

    /** The 1-, 5- and 15-minute load averages; high values mean other work competed with the bench. */
    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String firstValue(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equals(key)) {
                    return line.substring(colon + 1).trim();
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return null;
    }
}
