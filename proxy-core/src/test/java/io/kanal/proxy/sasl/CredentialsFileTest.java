package io.kanal.proxy.sasl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The credentials file: what an entry holds, how lines are checked, and how the file follows changes. */
class CredentialsFileTest {

    @TempDir
    Path directory;

    @Test
    void anEntryHoldsTheSaltedKeysKafkaWouldDeriveAndNeverThePassword() throws Exception {
        CredentialEntry entry = CredentialEntry.create("alice", ScramMechanism.SCRAM_SHA_512, "alice-secret", 4096);

        ScramFormatter formatter = new ScramFormatter(ScramMechanism.SCRAM_SHA_512);
        ScramCredential expected = formatter.generateCredential(entry.credential().salt(),
                formatter.saltedPassword("alice-secret", entry.credential().salt(), 4096), 4096);
        assertArrayEquals(expected.storedKey(), entry.credential().storedKey());
        assertArrayEquals(expected.serverKey(), entry.credential().serverKey());
        assertFalse(entry.line().contains("alice-secret"), entry.line());
        assertTrue(entry.line().startsWith("alice SCRAM-SHA-512 salt="), entry.line());
        assertFalse(entry.toString().contains("salt"), "toString names the entry, not its keys: " + entry);

        CredentialEntry read = CredentialEntry.parse(entry.line());
        assertEquals("alice", read.user());
        assertEquals(ScramMechanism.SCRAM_SHA_512, read.mechanism());
        assertArrayEquals(entry.credential().salt(), read.credential().salt());
        assertArrayEquals(entry.credential().storedKey(), read.credential().storedKey());
        assertEquals(4096, read.credential().iterations());
    }

    @Test
    void twoEntriesOfOnePasswordHaveDifferentSalts() {
        CredentialEntry first = CredentialEntry.create("alice", ScramMechanism.SCRAM_SHA_256, "same", 4096);
        CredentialEntry second = CredentialEntry.create("alice", ScramMechanism.SCRAM_SHA_256, "same", 4096);
        assertFalse(first.line().equals(second.line()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            alice SCRAM-SHA-512                                      | expected three fields: user, mechanism and credential, separated by spaces; found 2
            alice PLAIN salt=YQ==                                    | unknown mechanism 'PLAIN' (known: SCRAM-SHA-256, SCRAM-SHA-512)
            alice SCRAM-SHA-256 salt=YQ==,iterations=4096            | the credential must have exactly salt, stored_key, server_key and iterations; it has salt, iterations
            alice SCRAM-SHA-256 salt=YQ==,salt=YQ==                  | the credential must be salt=...,stored_key=...,server_key=...,iterations=..., each once
            """)
    void aLineThatIsNotAnEntrySaysWhy(String line, String problem) {
        assertEquals(problem, assertThrows(IllegalArgumentException.class, () -> CredentialEntry.parse(line))
                .getMessage());
    }

    @Test
    void keysOfTheWrongLengthAndTooFewIterationsAreRefused() {
        String line = CredentialEntry.create("alice", ScramMechanism.SCRAM_SHA_256, "p", 4096).line();
        assertEquals("stored_key and server_key of SCRAM-SHA-512 are 64 bytes each",
                assertThrows(IllegalArgumentException.class,
                        () -> CredentialEntry.parse(line.replace("SCRAM-SHA-256", "SCRAM-SHA-512"))).getMessage());
        assertEquals("SCRAM-SHA-256 needs at least 4096 iterations, not 100",
                assertThrows(IllegalArgumentException.class,
                        () -> CredentialEntry.parse(line.replace("iterations=4096", "iterations=100"))).getMessage());
        assertEquals("salt is not base64", assertThrows(IllegalArgumentException.class,
                () -> CredentialEntry.parse(line.replaceFirst("salt=[^,]*", "salt=!!"))).getMessage());
    }

    @Test
    void userNamesWithWhiteSpaceOrControlCharactersAreRefused() {
        assertEquals("the user name has white space or control characters",
                CredentialEntry.userProblem("al ice"));
        assertEquals("the user name has white space or control characters", CredentialEntry.userProblem("a\nb"));
        assertEquals("the user name is empty", CredentialEntry.userProblem(""));
        assertEquals(null, CredentialEntry.userProblem("alice@example.com"));
    }

    @Test
    void theFileSkipsCommentsAndBlankLinesAndFindsEntriesByUserAndMechanism() throws Exception {
        Path file = write("# users", "", line("alice", ScramMechanism.SCRAM_SHA_512),
                "   " + line("bob", ScramMechanism.SCRAM_SHA_256) + "  ");
        CredentialsFile credentials = CredentialsFile.load(file);

        assertEquals(2, credentials.size());
        assertTrue(credentials.scramCredential("alice", ScramMechanism.SCRAM_SHA_512).isPresent());
        assertTrue(credentials.scramCredential("alice", ScramMechanism.SCRAM_SHA_256).isEmpty());
        assertTrue(credentials.scramCredential("bob", ScramMechanism.SCRAM_SHA_256).isPresent());
        assertTrue(credentials.scramCredential("carol", ScramMechanism.SCRAM_SHA_256).isEmpty());
    }

    @Test
    void aBadLineIsNamedByItsNumberWithoutRepeatingTheCredential() throws Exception {
        String good = line("alice", ScramMechanism.SCRAM_SHA_512);
        Path file = write("# users", good, good.replace("iterations=4096", "iterations=many"));

        String message = assertThrows(CredentialsFileException.class, () -> CredentialsFile.load(file)).getMessage();
        assertEquals(file + " line 3: iterations is not a whole number", message);
    }

    @Test
    void aSecondEntryForTheSameUserAndMechanismIsRefused() throws Exception {
        Path file = write(line("alice", ScramMechanism.SCRAM_SHA_512), line("bob", ScramMechanism.SCRAM_SHA_512),
                line("alice", ScramMechanism.SCRAM_SHA_512));
        assertEquals(file + " line 3: a second SCRAM-SHA-512 entry for user 'alice' (the first is on line 1)",
                assertThrows(CredentialsFileException.class, () -> CredentialsFile.load(file)).getMessage());
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = directory.resolve("missing");
        assertEquals("cannot read " + missing + ": no such file",
                assertThrows(CredentialsFileException.class, () -> CredentialsFile.load(missing)).getMessage());
    }

    @Test
    void aChangedFileIsReadAgainAndABrokenChangeKeepsTheEntriesReadBefore() throws Exception {
        Path file = write(line("alice", ScramMechanism.SCRAM_SHA_512));
        CredentialsFile credentials = CredentialsFile.load(file);

        rewrite(file, 1, line("alice", ScramMechanism.SCRAM_SHA_512), line("bob", ScramMechanism.SCRAM_SHA_512));
        assertTrue(credentials.scramCredential("bob", ScramMechanism.SCRAM_SHA_512).isPresent(), "bob was added");

        rewrite(file, 2, line("bob", ScramMechanism.SCRAM_SHA_512), "this is not an entry");
        assertTrue(credentials.scramCredential("alice", ScramMechanism.SCRAM_SHA_512).isPresent(),
                "a broken file changes nothing");
        assertEquals(2, credentials.size());

        rewrite(file, 3, line("bob", ScramMechanism.SCRAM_SHA_512));
        assertTrue(credentials.scramCredential("alice", ScramMechanism.SCRAM_SHA_512).isEmpty(), "alice was removed");
    }

    @Test
    void filesAreEqualByPath() throws Exception {
        Path file = write(line("alice", ScramMechanism.SCRAM_SHA_512));
        assertEquals(CredentialsFile.load(file), CredentialsFile.load(file));
    }

    private static String line(String user, ScramMechanism mechanism) {
        return CredentialEntry.create(user, mechanism, user + "-secret", 4096).line();
    }

    private Path write(String... lines) throws Exception {
        Path file = directory.resolve("credentials");
        Files.write(file, List.of(lines));
        return file;
    }

    /** Rewrites the file with a modification time of its own, as an edit seconds later would have. */
    private static void rewrite(Path file, int generation, String... lines) throws Exception {
        Files.write(file, List.of(lines));
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(generation)));
    }
}
