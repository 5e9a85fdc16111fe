package io.kanal.bench;

import java.util.Arrays;
import java.util.List;

/**
 * {@code java -jar kanal-bench.jar [--quick] [options]} runs the bench ({@link Harness});
 * {@code java -jar kanal-bench.jar jmh [JMH options]} runs the JMH benchmarks in {@code io.kanal.bench.jmh}.
 */
public final class Bench {

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("jmh")) {
            org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        List<String> arguments = List.of(args);
        if (arguments.contains("--help") || arguments.contains("-h")) {
            System.out.print(BenchOptions.USAGE);
            return;
        }
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(BenchOptions.USAGE);
            System.exit(2);
            return;
        }
        try {
            new Harness(options, System.out).run();
        } catch (Exception e) {
            System.err.println("The bench failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
        // The broker and the Kafka clients leave non-daemon threads behind.
        System.exit(0);
    }
}
