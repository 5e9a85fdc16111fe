package io.kanal.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ProcStatsTest {

    @Test
    void cpuIsUserPlusSystemTicks() {
        // utime 1234 and stime 566 ticks: fields 14 and 15; the command name holds spaces and parentheses.
        String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 52345 0 12 0 1234 566 300 100 20 0 41 0 "
                + "3712 5123456789 51234 18446744073709551615 1 1 0 0 0 0 0 2 16800975 0 0 0 17 1 0 0 0 0 0";
        assertEquals(18.0, new ProcStats(100).cpuSecondsFromStat(stat), 1e-9);
        assertEquals(1.8, new ProcStats(1000).cpuSecondsFromStat(stat), 1e-9);
        // cutime 300 and cstime 100: fields 16 and 17, the reaped children's
        assertEquals(4.0, new ProcStats(100).childrenCpuSecondsFromStat(stat), 1e-9);
    }

    @Test
    void memoryLinesAreInKilobytes() {
        String status = "Name:\tjava\nVmPeak:\t 5123456 kB\nVmHWM:\t  171234 kB\nVmRSS:\t  170000 kB\n";
        assertEquals(171234, ProcStats.statusKilobytes(status, "VmHWM"));
        assertEquals(170000, ProcStats.statusKilobytes(status, "VmRSS"));
        assertThrows(IllegalArgumentException.class, () -> ProcStats.statusKilobytes(status, "VmSwap"));
    }

    @Test
    void machineCpuIsEverythingButIdleAndIoWait() {
        String stat = "cpu  300151 7 41399 371310 471 3 1151 612 55 0\ncpu0 150000 3 20000 185000 200 1 500 300 20 0\n";
        long total = 300151 + 7 + 41399 + 371310 + 471 + 3 + 1151 + 612;
        assertEquals(total, ProcStats.machineCpuTicksFromStat(stat)[1]);
        assertEquals(total - 371310 - 471, ProcStats.machineCpuTicksFromStat(stat)[0]);
    }

    @Test
    void readsThisProcess() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs Linux /proc");
        long pid = ProcessHandle.current().pid();
        assertTrue(ProcStats.forThisMachine().cpuSeconds(pid) > 0);
        assertTrue(ProcStats.peakRssBytes(pid) >= ProcStats.rssBytes(pid) || ProcStats.rssBytes(pid) > 0);
    }
}
