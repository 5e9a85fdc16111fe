package io.kanal.app.credentials;

import io.kanal.proxy.sasl.CredentialEntry;
import io.kanal.proxy.sasl.CredentialsFile;
import io.kanal.proxy.sasl.CredentialsFileException;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code kanal credentials}: adds users to, removes them from, and lists a credentials file that a virtual cluster's
 * {@code sasl.credentialsFile} names. Passwords are read from the terminal without echo, or else from the first line
 * of standard input, and only their salted SCRAM keys are written. A running Kanal reads the changed file at the next
 * login, without a restart.
 */
public final class CredentialsCommand {

    /** The first argument that selects this command. */
    public static final String NAME = "credentials";

    static final String USAGE = """
            Usage: kanal credentials add --file FILE --user NAME [--mechanism MECHANISM[,MECHANISM]] [--iterations N]
                   kanal credentials remove --file FILE --user NAME
                   kanal credentials list --file FILE

              add      reads the user's password (from the terminal, or the first line of standard input) and
                       writes its salted SCRAM credential for each mechanism (SCRAM-SHA-512, SCRAM-SHA-256;
                       default SCRAM-SHA-512), replacing the user's old one; clients may then log in with that
                       mechanism, and with PLAIN where the virtual cluster enables it
              remove   removes every credential of the user
              list     prints each user and mechanism in the file, never the credentials
              --iterations N  the SCRAM iteration count (default 4096, the least SCRAM allows)

            The file is created, readable by its owner only, when it does not exist.
            """;

    private static final int EXIT_OK = 0;
    private static final int EXIT_FAILED = 1;
    private static final int EXIT_USAGE = 2;
    private static final int DEFAULT_ITERATIONS = 4096;
    private static final String HEADER = """
            # Kanal credentials: one salted SCRAM credential per line (user, mechanism, salt and keys); no passwords.
            # Written by `kanal credentials add`; named by a virtual cluster's sasl.credentialsFile.""";

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private final Console console;

    /** @param console the terminal to read passwords from without echo; {@code null} reads standard input */
    public CredentialsCommand(InputStream in, PrintStream out, PrintStream err, Console console) {
        this.in = in;
        this.out = out;
        this.err = err;
        this.console = console;
    }

    /** Runs {@code kanal credentials ARGS...}; returns the exit code: 0 done, 1 failed, 2 bad arguments. */
    public int run(String... args) {
        try {
            Arguments arguments = Arguments.parse(args);
            return switch (arguments.action()) {
                case "add" -> add(arguments);
                case "remove" -> remove(arguments);
                case "list" -> list(arguments);
                case "help" -> {
                    out.print(USAGE);
                    yield EXIT_OK;
                }
                default -> throw new IllegalArgumentException("unknown action '" + arguments.action() + "'");
            };
        } catch (IllegalArgumentException e) {
            err.println("kanal credentials: " + e.getMessage());
            err.print(USAGE);
            return EXIT_USAGE;
        } catch (IOException | CredentialsFileException e) {
            err.println("kanal credentials: " + e.getMessage());
            return EXIT_FAILED;
        }
    }

    private int add(Arguments arguments) throws IOException, CredentialsFileException {
        String user = arguments.required("--user");
        String problem = CredentialEntry.userProblem(user);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        List<ScramMechanism> mechanisms = mechanisms(arguments.value("--mechanism", "SCRAM-SHA-512"));
        int iterations = iterations(arguments.value("--iterations", Integer.toString(DEFAULT_ITERATIONS)),
                mechanisms);
        Path file = Path.of(arguments.required("--file"));
        List<String> lines = readChecked(file);
        String password = readPassword(user);
        for (ScramMechanism mechanism : mechanisms) {
            CredentialEntry entry = CredentialEntry.create(user, mechanism, password, iterations);
            boolean replaced = false;
            for (int i = 0; i < lines.size(); i++) {
                if (isEntryOf(lines.get(i), user, mechanism)) {
                    lines.set(i, entry.line());
                    replaced = true;
                    break;
                }
            }
            if (!replaced) {
                lines.add(entry.line());
            }
            out.println((replaced ? "replaced " : "added ") + mechanism.mechanismName() + " credential of user '"
                    + user + "' in " + file);
        }
        write(file, lines);
        return EXIT_OK;
    }

    private int remove(Arguments arguments) throws IOException, CredentialsFileException {
        String user = arguments.required("--user");
        Path file = Path.of(arguments.required("--file"));
        if (!Files.exists(file)) {
            throw new IOException(file + ": no such file");
        }
        List<String> lines = readChecked(file);
        int before = lines.size();
        lines.removeIf(line -> entryUser(line).equals(user));
        if (lines.size() == before) {
            err.println("kanal credentials: " + file + " has no user '" + user + "'");
            return EXIT_FAILED;
        }
        write(file, lines);
        out.println("removed " + (before - lines.size()) + " credential(s) of user '" + user + "' from " + file);
        return EXIT_OK;
    }

    private int list(Arguments arguments) throws IOException, CredentialsFileException {
        Path file = Path.of(arguments.required("--file"));
        if (!Files.exists(file)) {
            throw new IOException(file + ": no such file");
        }
        Map<String, List<String>> users = new LinkedHashMap<>();
        for (String line : readChecked(file)) {
            if (!entryUser(line).isEmpty()) {
                CredentialEntry entry = CredentialEntry.parse(line);
                users.computeIfAbsent(entry.user(), name -> new ArrayList<>()).add(entry.mechanism().mechanismName()
                        + " (" + entry.credential().iterations() + " iterations)");
            }
        }
        users.forEach((user, mechanisms) -> out.println(user + ": " + String.join(", ", mechanisms)));
        return EXIT_OK;
    }

    /** The file's lines, after checking it reads as a credentials file: an edit must not hide an earlier mistake. */
    private static List<String> readChecked(Path file) throws IOException, CredentialsFileException {
        if (!Files.exists(file)) {
            return new ArrayList<>(HEADER.lines().toList());
        }
        CredentialsFile.load(file);
        return new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    /** The user name of an entry line; empty for comments and blank lines. */
    private static String entryUser(String line) {
        String stripped = line.strip();
        if (stripped.isEmpty() || stripped.startsWith("#")) {
            return "";
        }
        return stripped.split("\\s+")[0];
    }

    private static boolean isEntryOf(String line, String user, ScramMechanism mechanism) {
        String[] fields = line.strip().split("\\s+");
        return entryUser(line).equals(user) && fields.length > 1 && fields[1].equals(mechanism.mechanismName());
    }

    /**
     * Replaces the file in one step, so that a Kanal reading it meanwhile sees the old or the new content, never
     * half of it. A new file is readable by its owner only; an existing one keeps its permissions.
     */
    private static void write(Path file, List<String> lines) throws IOException {
        Path absolute = file.toAbsolutePath();
        Path directory = absolute.getParent();
        Path temporary = Files.createTempFile(directory, "." + absolute.getFileName(), ".tmp");
        try {
            Set<PosixFilePermission> permissions = Files.exists(file)
                    ? posixPermissions(file)
                    : PosixFilePermissions.fromString("rw-------");
            if (permissions != null) {
                Files.setPosixFilePermissions(temporary, permissions);
            }
            Files.write(temporary, lines, StandardCharsets.UTF_8);
            try {
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static Set<PosixFilePermission> posixPermissions(Path file) throws IOException {
        try {
            return Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException notPosix) {
            return null;
        }
    }

    private String readPassword(String user) throws IOException {
        if (console != null) {
            char[] first = console.readPassword("Password for %s: ", user);
            char[] second = console.readPassword("Again: ");
            if (first == null || second == null || !Arrays.equals(first, second)) {
                throw new IOException("the passwords do not match");
            }
            return nonEmpty(new String(first));
        }
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line = reader.readLine();
        if (line == null) {
            throw new IOException("no password on standard input");
        }
        return nonEmpty(line);
    }

    private static String nonEmpty(String password) throws IOException {
        if (password.isEmpty()) {
            throw new IOException("the password is empty");
        }
        return password;
    }

    private static List<ScramMechanism> mechanisms(String text) {
        List<ScramMechanism> mechanisms = new ArrayList<>();
        for (String name : text.split(",")) {
            ScramMechanism mechanism = ScramMechanism.forMechanismName(name.strip());
            if (mechanism == null) {
                throw new IllegalArgumentException("--mechanism: '" + name.strip() + "' is not SCRAM-SHA-512 or "
                        + "SCRAM-SHA-256 (PLAIN logins are checked against these)");
            }
            if (!mechanisms.contains(mechanism)) {
                mechanisms.add(mechanism);
            }
        }
        return mechanisms;
    }

    private static int iterations(String text, List<ScramMechanism> mechanisms) {
        int iterations;
        try {
            iterations = Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--iterations: '" + text + "' is not a whole number");
        }
        int least = mechanisms.stream().mapToInt(ScramMechanism::minIterations).max().orElse(DEFAULT_ITERATIONS);
        if (iterations < least) {
            throw new IllegalArgumentException("--iterations: SCRAM needs at least " + least);
        }
        return iterations;
    }

    /** The parsed command line: an action and {@code --option value} pairs. */
    private record Arguments(String action, Map<String, String> options) {

        private static final Set<String> OPTIONS = Set.of("--file", "--user", "--mechanism", "--iterations");

        static Arguments parse(String... args) {
            if (args.length == 0) {
                throw new IllegalArgumentException("no action given");
            }
            if (args[0].equals("--help") || args[0].equals("-h")) {
                return new Arguments("help", Map.of());
            }
            Map<String, String> options = new LinkedHashMap<>();
            for (int i = 1; i < args.length; i++) {
                String option = args[i];
                String value;
                int equals = option.indexOf('=');
                if (option.startsWith("--") && equals > 0) {
                    value = option.substring(equals + 1);
                    option = option.substring(0, equals);
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw new IllegalArgumentException(option + " needs a value");
                }
                if (!OPTIONS.contains(option)) {
                    throw new IllegalArgumentException("unknown argument '" + option + "'");
                }
                if (options.put(option, value) != null) {
                    throw new IllegalArgumentException(option + " is given more than once");
                }
            }
            return new Arguments(args[0], options);
        }

        String required(String option) {
            String value = options.get(option);
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(action + " needs " + option);
            }
            return value;
        }

        String value(String option, String defaultValue) {
            return options.getOrDefault(option, defaultValue);
        }
    }
}
