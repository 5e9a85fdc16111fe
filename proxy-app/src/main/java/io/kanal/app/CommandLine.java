package io.kanal.app;

import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the {@code kanal} command was asked to do.
 *
 * @param configFile the YAML configuration to run; empty for the embedded demo
 * @param port       the embedded demo's bootstrap port, when given
 * @param help       print usage and exit
 */
public record CommandLine(Optional<Path> configFile, OptionalInt port, boolean help) {

    /** The embedded demo's bootstrap port when {@code --port} is not given. */
    public static final int DEFAULT_EMBEDDED_PORT = 9192;

    /** The synopsis, printed with every usage error. */
    public static final String SYNOPSIS = "Usage: kanal [--config FILE] [--port PORT] [--help]";

    /** The full {@code --help} text. */
    public static final String HELP = SYNOPSIS + """


            Kanal is a Kafka wire-protocol proxy.

              --config FILE   run the virtual clusters described in the YAML file FILE;
                              ${VAR} and ${VAR:-default} in its values are taken from the environment
              --port PORT     without --config: the bootstrap port of the embedded demo (default 9192)
              -h, --help      print this help and exit

            Without --config, kanal starts a single-node Kafka broker inside its own process and
            proxies it on 127.0.0.1:9192, so there is something to connect to straight away.

            Exit codes: 0 stopped normally, 1 could not start, 2 bad command line or configuration.
            """;

    /** Broker node 1 of the embedded demo listens on the port after the bootstrap port. */
    private static final int MAX_EMBEDDED_PORT = 65534;

    /**
     * @throws UsageException naming the argument that is unknown, incomplete or conflicting
     */
    public static CommandLine parse(String... args) throws UsageException {
        Path configFile = null;
        Integer port = null;
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
            } else if (option.equals("--port") && port == null) {
                port = port(inlineValue != null ? inlineValue : valueAfter(args, i++, "a port"));
            } else if ((option.equals("--help") || option.equals("-h")) && inlineValue == null) {
                help = true;
            } else if (option.equals("--config") || option.equals("--port")) {
                throw new UsageException(option + " is given more than once");
            } else {
                throw new UsageException("unknown argument '" + args[i] + "'");
            }
        }
        if (configFile != null && port != null) {
            throw new UsageException("--port applies to the embedded demo only; with --config, ports are set in "
                    + "the configuration file");
        }
        return new CommandLine(Optional.ofNullable(configFile),
                port == null ? OptionalInt.empty() : OptionalInt.of(port), help);
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
