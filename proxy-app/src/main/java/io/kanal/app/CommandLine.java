package io.kanal.app;

import io.kanal.app.admin.AdminSettings;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the {@code kanal} command was asked to do.
 *
 * @param configFile the YAML configuration to run; empty for the embedded demo
 * @param pluginsDirectory where plugin jars are, replacing the configuration's {@code plugins.directory}
 * @param port       the embedded demo's bootstrap port, when given
 * @param adminPort  the embedded demo's admin server port, when given; 0 turns the admin server off
 * @param help       print usage and exit
 */
public record CommandLine(Optional<Path> configFile, Optional<Path> pluginsDirectory, OptionalInt port,
                          OptionalInt adminPort, boolean help) {

    /** The embedded demo's bootstrap port when {@code --port} is not given. */
    public static final int DEFAULT_EMBEDDED_PORT = 9192;

    /** The synopsis, printed with every usage error. */
    public static final String SYNOPSIS =
            "Usage: kanal [--config FILE] [--plugins DIR] [--port PORT] [--admin-port PORT] [--help]";

    /** The full {@code --help} text. */
    public static final String HELP = SYNOPSIS + """


            Kanal is a Kafka wire-protocol proxy.

              --config FILE   run the virtual clusters described in the YAML file FILE;
                              ${VAR} and ${VAR:-default} in its values are taken from the environment;
                              SIGHUP reloads FILE, and so does a change of it (unless reload.watch is false)
              --plugins DIR   with --config: load filter types from the jars in DIR (instead of
                              the configuration's plugins.directory)
              --port PORT     without --config: the bootstrap port of the embedded demo (default 9192)
              --admin-port PORT
                              without --config: the port of the admin server (/metrics, /livez, /readyz,
                              /config) on 127.0.0.1 (default 9190); 0 turns it off
              -h, --help      print this help and exit

            Without --config, kanal starts a single-node Kafka broker inside its own process and
            proxies it on 127.0.0.1:9192, so there is something to connect to straight away.

            kanal credentials add|remove|list ... manages the users of a credentials file for SASL
            termination (sasl.credentialsFile); `kanal credentials --help` tells how.

            Exit codes: 0 stopped normally, 1 could not start, 2 bad command line or configuration;
            after SIGTERM or Ctrl-C, once the graceful shutdown is done, 143 or 130 (the JVM's codes
            for a stop by signal; systemd units want SuccessExitStatus=143).
            """;

    /** Broker node 1 of the embedded demo listens on the port after the bootstrap port. */
    private static final int MAX_EMBEDDED_PORT = 65534;

    /**
     * @throws UsageException naming the argument that is unknown, incomplete or conflicting
     */
    public static CommandLine parse(String... args) throws UsageException {
        Path configFile = null;
        Path pluginsDirectory = null;
        Integer port = null;
        Integer adminPort = null;
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            String inlineValue = null;
            int equals = option.indexOf('=');
            if (option.startsWith("--") && equals > 0) {
                inlineValue = option.substring(equals + 1);
                option = option.substring(0, equals);
            }
            if (option.equals("--config") && configFile == null) {
                String value = inlineValue != null ? inlineValue : valueAfter(args, i++, "a file");
                if (value.isBlank()) {
                    throw new UsageException("--config needs a file");
                }
                configFile = Path.of(value);
            } else if (option.equals("--plugins") && pluginsDirectory == null) {
                String value = inlineValue != null ? inlineValue : valueAfter(args, i++, "a directory");
                if (value.isBlank()) {
                    throw new UsageException("--plugins needs a directory");
                }
                pluginsDirectory = Path.of(value);
            } else if (option.equals("--port") && port == null) {
                port = port(inlineValue != null ? inlineValue : valueAfter(args, i++, "a port"));
            } else if (option.equals("--admin-port") && adminPort == null) {
                adminPort = adminPort(inlineValue != null ? inlineValue : valueAfter(args, i++, "a port"));
            } else if ((option.equals("--help") || option.equals("-h")) && inlineValue == null) {
                help = true;
            } else if (option.equals("--config") || option.equals("--plugins") || option.equals("--port")
                    || option.equals("--admin-port")) {
                throw new UsageException(option + " is given more than once");
            } else {
                throw new UsageException("unknown argument '" + args[i] + "'");
            }
        }
        if (configFile == null && pluginsDirectory != null) {
            throw new UsageException("--plugins applies with --config only: the embedded demo runs no filters");
        }
        if (configFile != null && port != null) {
            throw new UsageException("--port applies to the embedded demo only; with --config, ports are set in "
                    + "the configuration file");
        }
        if (configFile != null && adminPort != null) {
            throw new UsageException("--admin-port applies to the embedded demo only; with --config, the admin "
                    + "server is set in the configuration file's admin section");
        }
        CommandLine commandLine = new CommandLine(Optional.ofNullable(configFile),
                Optional.ofNullable(pluginsDirectory),
                port == null ? OptionalInt.empty() : OptionalInt.of(port),
                adminPort == null ? OptionalInt.empty() : OptionalInt.of(adminPort), help);
        if (configFile == null) {
            checkAdminPortIsFree(commandLine);
        }
        return commandLine;
    }

    /** The embedded demo's admin server port: {@code --admin-port}, or the default; 0 when it is turned off. */
    public int embeddedAdminPort() {
        return adminPort.orElse(AdminSettings.DEFAULT_PORT);
    }

    /** The embedded demo listens on its bootstrap port and the broker's port after it. */
    private static void checkAdminPortIsFree(CommandLine commandLine) throws UsageException {
        int admin = commandLine.embeddedAdminPort();
        int bootstrap = commandLine.embeddedPort();
        if (admin == bootstrap || admin == bootstrap + 1) {
            String ports = "the embedded demo's ports " + bootstrap + "-" + (bootstrap + 1);
            throw new UsageException(commandLine.adminPort().isPresent()
                    ? "--admin-port " + admin + " is one of " + ports
                    : "the admin server's default port " + admin + " is one of " + ports
                            + "; move it with --admin-port");
        }
    }

    /** The embedded demo's bootstrap port: {@code --port}, or the default. */
    public int embeddedPort() {
        return port.orElse(DEFAULT_EMBEDDED_PORT);
    }

    private static String valueAfter(String[] args, int index, String what) throws UsageException {
        if (index + 1 >= args.length || args[index + 1].startsWith("-")) {
            throw new UsageException(args[index] + " needs " + what);
        }
        return args[index + 1];
    }

    private static int adminPort(String value) throws UsageException {
        int port;
        try {
            port = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new UsageException("--admin-port must be a number from 0 (off) to 65535, not '" + value + "'");
        }
        return port;
    }

    private static int port(String value) throws UsageException {
        int port;
        try {
            port = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > MAX_EMBEDDED_PORT) {
            throw new UsageException("--port must be a number from 1 to " + MAX_EMBEDDED_PORT + ", not '" + value
                    + "'");
        }
        return port;
    }
}
