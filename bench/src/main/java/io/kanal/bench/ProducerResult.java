package io.kanal.bench;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The summary of one {@code org.apache.kafka.tools.ProducerPerformance} run, read from the line it prints last:
 *
 * <pre>
 * 500000 records sent, 91241.240876 records/sec (89.10 MB/sec), 180.22 ms avg latency, 452.00 ms max latency,
 *     167 ms 50th, 337 ms 95th, 402 ms 99th, 447 ms 99.9th.
 * </pre>
 *
 * (one line). With {@code --warmup-records} the tool prints a second such line, with {@code steady state} after the
 * count, covering only the records after the warm-up; that one is preferred. Latencies are from {@code send()} to
 * the acknowledgement, measured with {@code System.currentTimeMillis()}: the percentiles are whole milliseconds,
 * the average has two decimals. {@code MB} is 2<sup>20</sup> bytes.
 *
 * @param records       records the line covers
 * @param steadyState   whether it is the steady-state line (warm-up excluded)
 * @param recordsPerSec records per second
 * @param mbPerSec      MiB of record values per second
 * @param avgMs         average latency in ms
 * @param maxMs         largest latency in ms
 * @param p50Ms         median latency in whole ms
 * @param p95Ms         95th percentile
 * @param p99Ms         99th percentile
 * @param p999Ms        99.9th percentile
 */
public record ProducerResult(long records, boolean steadyState, double recordsPerSec, double mbPerSec, double avgMs,
                             double maxMs, int p50Ms, int p95Ms, int p99Ms, int p999Ms) {

    private static final Pattern SUMMARY = Pattern.compile(
            "^(\\d+)( steady state)? records sent, ([0-9.]+) records/sec \\(([0-9.]+) MB/sec\\), "
                    + "([0-9.]+) ms avg latency, ([0-9.]+) ms max latency, (\\d+) ms 50th, (\\d+) ms 95th, "
                    + "(\\d+) ms 99th, (\\d+) ms 99\\.9th\\.$",
            Pattern.MULTILINE);

    /**
     * Finds the summary in everything the tool printed on stdout: the steady-state line when there is one, else the
     * total. Progress lines (no percentiles) are ignored.
     *
     * @throws IllegalArgumentException when the output holds no summary line
     */
    public static ProducerResult parse(String output) {
        ProducerResult total = null;
        ProducerResult steady = null;
        Matcher m = SUMMARY.matcher(output.replace("\r", ""));
        while (m.find()) {
            ProducerResult result = new ProducerResult(
                    Long.parseLong(m.group(1)), m.group(2) != null,
                    Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4)),
                    Double.parseDouble(m.group(5)), Double.parseDouble(m.group(6)),
                    Integer.parseInt(m.group(7)), Integer.parseInt(m.group(8)),
                    Integer.parseInt(m.group(9)), Integer.parseInt(m.group(10)));
            if (result.steadyState()) {
                steady = result;
            } else {
                total = result;
            }
        }
        if (steady != null) {
            return steady;
        }
        if (total != null) {
            return total;
        }
        throw new IllegalArgumentException("no ProducerPerformance summary line in its output:\n" + output);
    }
}
