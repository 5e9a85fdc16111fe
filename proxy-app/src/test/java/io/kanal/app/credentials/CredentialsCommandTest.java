package io.kanal.app.credentials;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kanal.proxy.sasl.CredentialsFile;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kanal credentials}: the file it writes is what the proxy reads, and never holds a password. */
class CredentialsCommandTest {

    @TempDir
    Path directory;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String stdin, String... args) {
        out.reset();
        err.reset();
        return new CredentialsCommand(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                null).run(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void addWritesASaltedCredentialThatMatchesThePasswordIntoAFileOnlyItsOwnerReads() throws Exception {
        Path file = directory.resolve("credentials");

        assertEquals(0, run("alice-secret\n", "add", "--file", file.toString(), "--user", "alice"), err());

        assertEquals("added SCRAM-SHA-512 credential of user 'alice' in " + file + "\n", out());
        String content = Files.readString(file);
        assertFalse(content.contains("alice-secret"), content);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertPasswordMatches(file, "alice", ScramMechanism.SCRAM_SHA_512, "alice-secret");
    }

    @Test
    void addingAgainReplacesTheUsersCredentialAndKeepsEveryOtherLine() throws Exception {
        Path file = directory.resolve("credentials");
        run("one\n", "add", "--file", file.toString(), "--user", "alice");
        run("bob-secret\n", "add", "--file", file.toString(), "--user", "bob");
        Files.writeString(file, Files.readString(file) + "# a comment of the operator\n");

        assertEquals(0, run("two\n", "add", "--file", file.toString(), "--user", "alice",
                "--mechanism", "SCRAM-SHA-512,SCRAM-SHA-256", "--iterations", "8192"), err());

        assertEquals("replaced SCRAM-SHA-512 credential of user 'alice' in " + file + "\n"
                + "added SCRAM-SHA-256 credential of user 'alice' in " + file + "\n", out());
        assertPasswordMatches(file, "alice", ScramMechanism.SCRAM_SHA_512, "two");
        assertPasswordMatches(file, "alice", ScramMechanism.SCRAM_SHA_256, "two");
        assertPasswordMatches(file, "bob", ScramMechanism.SCRAM_SHA_512, "bob-secret");
        assertTrue(Files.readString(file).contains("# a comment of the operator\n"));

        assertEquals(0, run("", "list", "--file", file.toString()), err());
        assertEquals("alice: SCRAM-SHA-512 (8192 iterations), SCRAM-SHA-256 (8192 iterations)\n"
                + "bob: SCRAM-SHA-512 (4096 iterations)\n", out());
    }

    @Test
    void removeTakesEveryCredentialOfTheUser() throws Exception {
        Path file = directory.resolve("credentials");
        run("a\n", "add", "--file", file.toString(), "--user", "alice", "--mechanism", "SCRAM-SHA-256,SCRAM-SHA-512");
        run("b\n", "add", "--file", file.toString(), "--user", "bob");

        assertEquals(0, run("", "remove", "--file", file.toString(), "--user", "alice"), err());

        assertEquals("removed 2 credential(s) of user 'alice' from " + file + "\n", out());
        CredentialsFile credentials = CredentialsFile.load(file);
        assertEquals(1, credentials.size());
        assertEquals(1, run("", "remove", "--file", file.toString(), "--user", "alice"));
        assertEquals("kanal credentials: " + file + " has no user 'alice'\n", err());
    }

    @Test
    void aBrokenFileIsNotEdited() throws Exception {
        Path file = Files.writeString(directory.resolve("credentials"), "alice SCRAM-SHA-512 broken\n");

        assertEquals(1, run("secret\n", "add", "--file", file.toString(), "--user", "bob"));

        assertTrue(err().startsWith("kanal credentials: " + file + " line 1: "), err());
        assertEquals("alice SCRAM-SHA-512 broken\n", Files.readString(file));
    }

    @Test
    void mistakesInTheArgumentsAreUsageErrors() {
        String file = directory.resolve("credentials").toString();
        assertEquals(2, run("p\n", "add", "--file", file));
        assertTrue(err().startsWith("kanal credentials: add needs --user\nUsage: kanal credentials add"), err());
        assertEquals(2, run("p\n", "add", "--file", file, "--user", "alice", "--mechanism", "PLAIN"));
        assertTrue(err().startsWith("kanal credentials: --mechanism: 'PLAIN' is not SCRAM-SHA-512 or SCRAM-SHA-256"),
                err());
        assertEquals(2, run("p\n", "add", "--file", file, "--user", "al ice"));
        assertTrue(err().startsWith("kanal credentials: the user name has white space"), err());
        assertEquals(2, run("p\n", "add", "--file", file, "--user", "alice", "--iterations", "100"));
        assertTrue(err().startsWith("kanal credentials: --iterations: SCRAM needs at least 4096"), err());
        assertEquals(2, run("", "rotate", "--file", file));
        assertTrue(err().startsWith("kanal credentials: unknown action 'rotate'"), err());
        assertEquals(1, run("", "add", "--file", file, "--user", "alice"));
        assertEquals("kanal credentials: no password on standard input\n", err());
        assertFalse(Files.exists(Path.of(file)), "nothing written without a password");
        assertEquals(0, run("", "--help"));
        assertTrue(out().startsWith("Usage: kanal credentials add"), out());
    }

    private static void assertPasswordMatches(Path file, String user, ScramMechanism mechanism, String password)
            throws Exception {
        ScramCredential stored = CredentialsFile.load(file).scramCredential(user, mechanism).orElseThrow();
        ScramFormatter formatter = new ScramFormatter(mechanism);
        byte[] salted = formatter.saltedPassword(password, stored.salt(), stored.iterations());
        assertArrayEquals(formatter.storedKey(formatter.clientKey(salted)), stored.storedKey(),
                user + "'s " + mechanism.mechanismName() + " entry is not made from that password");
        assertFalse(List.of(Files.readString(file)).contains(password));
    }
}
