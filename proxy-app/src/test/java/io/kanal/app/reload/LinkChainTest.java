package io.kanal.app.reload;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LinkChainTest {

    @Test
    void aPlainFileIsItsOwnChain(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("kanal.yaml"), "a: 1\n").toRealPath();
        assertEquals(List.of(file), List.copyOf(LinkChain.of(file)));
    }

    @Test
    void followsLinksInThePathAndInTheirTargetsRelativeOrAbsolute(@TempDir Path temp) throws Exception {
        Path dir = temp.toRealPath();
        Path v1 = Files.createDirectories(dir.resolve("releases").resolve("v1"));
        Files.writeString(v1.resolve("real.yaml"), "a: 1\n");
        Files.createSymbolicLink(v1.resolve("kanal.yaml"), Path.of("real.yaml"));
        Files.createSymbolicLink(dir.resolve("current"), Path.of("releases", "v1"));
        Path etc = Files.createDirectory(dir.resolve("etc"));
        Files.createSymbolicLink(etc.resolve("config.yaml"), dir.resolve("current").resolve("kanal.yaml"));

        assertEquals(List.of(etc.resolve("config.yaml"), dir.resolve("current"), v1.resolve("kanal.yaml"),
                v1.resolve("real.yaml")), List.copyOf(LinkChain.of(etc.resolve("config.yaml"))));
    }

    @Test
    void aKubernetesMountResolvesThroughItsDataLink(@TempDir Path temp) throws Exception {
        Path dir = temp.toRealPath();
        Path version = Files.createDirectory(dir.resolve("..2026_11_21_10_00_00.1"));
        Files.writeString(version.resolve("kanal.yaml"), "a: 1\n");
        Files.createSymbolicLink(dir.resolve("..data"), version.getFileName());
        Path config = Files.createSymbolicLink(dir.resolve("kanal.yaml"), Path.of("..data", "kanal.yaml"));

        assertEquals(List.of(config, dir.resolve("..data"), version.resolve("kanal.yaml")),
                List.copyOf(LinkChain.of(config)));
    }

    @Test
    void parentStepsInATargetLeaveTheLinksDirectory(@TempDir Path temp) throws Exception {
        Path dir = temp.toRealPath();
        Path shared = Files.createDirectory(dir.resolve("shared"));
        Files.writeString(shared.resolve("kanal.yaml"), "a: 1\n");
        Path app = Files.createDirectory(dir.resolve("app"));
        Path config = Files.createSymbolicLink(app.resolve("kanal.yaml"), Path.of("..", "shared", "kanal.yaml"));

        assertEquals(List.of(config, shared.resolve("kanal.yaml")), List.copyOf(LinkChain.of(config)));
    }

    @Test
    void aMissingFileEndsTheChainWhereItWouldBe(@TempDir Path temp) throws Exception {
        Path dir = temp.toRealPath();
        assertEquals(List.of(dir.resolve("gone.yaml")), List.copyOf(LinkChain.of(dir.resolve("gone.yaml"))));
    }

    @Test
    void aLoopOfLinksIsRefused(@TempDir Path temp) throws Exception {
        Path dir = temp.toRealPath();
        Files.createSymbolicLink(dir.resolve("a.yaml"), Path.of("b.yaml"));
        Files.createSymbolicLink(dir.resolve("b.yaml"), Path.of("a.yaml"));
        IOException loop = assertThrows(IOException.class, () -> LinkChain.of(dir.resolve("a.yaml")));
        assertEquals("more than 40 symbolic links on the way to " + dir.resolve("a.yaml"), loop.getMessage());
    }
}
