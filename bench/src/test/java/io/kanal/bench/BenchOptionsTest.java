package io.kanal.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchOptionsTest {

    @Test
    void quickAndFullPresets() {
        BenchOptions quick = BenchOptions.parse("--quick");
        assertEquals("quick", quick.mode());
        assertEquals(1024, quick.recordSize());
        assertEquals("1", quick.acks());
        assertEquals(5000, quick.latencyRate());
        assertEquals(5000L * quick.latencySeconds(), quick.latencyRecords());
        assertEquals("full", BenchOptions.parse().mode());
        assertEquals("auto", quick.relay());
        assertTrue(quick.consumeRounds() > quick.rounds(), "consume runs are short and swing: more rounds");
    }

    @Test
    void optionsOverrideThePreset() {
        BenchOptions o = BenchOptions.parse("--rounds", "3", "--quick", "--acks", "all", "--produce-records",
                "40000", "--kanal-jar", "/opt/kanal.jar", "--kanal-jvm-opts", " -Xmx256m  -XX:+UseSerialGC ",
                "--latency-seconds", "2", "--consume-rounds", "9", "--relay", "off");
        assertEquals("quick", o.mode());
        assertEquals(3, o.rounds());
        assertEquals(9, o.consumeRounds());
        assertEquals("off", o.relay());
        assertEquals("all", o.acks());
        assertEquals(40000, o.produceRecords());
        assertEquals(10000, o.produceWarmup());
        assertEquals(Path.of("/opt/kanal.jar"), o.kanalJar().orElseThrow());
        assertEquals(List.of("-Xmx256m", "-XX:+UseSerialGC"), o.kanalJvmOptions());
        assertEquals(1, o.latencyWarmupSeconds());
    }

    @Test
    void badArgumentsAreNamed() {
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--rounds", "0"));
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--acks", "2"));
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--rounds"));
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--fast", "1"));
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("quick"));
    }
}
