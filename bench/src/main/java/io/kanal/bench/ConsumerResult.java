package io.kanal.bench;

import java.util.List;

/**
 * The summary of one {@code org.apache.kafka.tools.ConsumerPerformance} run (without
 * {@code --show-detailed-stats}): a header line, then one line of ten comma-separated values,
 *
 * <pre>
 * start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms,
 *     fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
 * 2026-06-20 09:01:02:345, 2026-06-20 09:01:07:890, 976.5625, 176.1158, 1000000, 180342.2903, 312, 5233,
 *     186.6152, 191095.0889
 * </pre>
 *
 * (each one line). {@code MB} is 2<sup>20</sup> bytes of keys and values. The {@code fetch.*} figures leave out
 * the time spent joining the consumer group.
 *
 * @param mb                  MiB consumed
 * @param mbPerSec            MiB per second over the whole run, group join included
 * @param records             records consumed
 * @param recordsPerSec       records per second over the whole run
 * @param rebalanceMs         time spent joining the group
 * @param fetchMs             the rest of the run
 * @param fetchMbPerSec       MiB per second over {@code fetchMs}
 * @param fetchRecordsPerSec  records per second over {@code fetchMs}
 */
public record ConsumerResult(double mb, double mbPerSec, long records, double recordsPerSec, long rebalanceMs,
                             long fetchMs, double fetchMbPerSec, double fetchRecordsPerSec) {

    private static final String HEADER_START = "start.time, end.time, data.consumed.in.MB";
    private static final String TIMEOUT_WARNING = "WARNING: Exiting before consuming the expected number of records";

    /**
     * Reads the summary from everything the tool printed on stdout.
     *
     * @throws IllegalArgumentException when the output holds no summary, or the tool gave up before it had read
     *                                  every record it was asked for
     */
    public static ConsumerResult parse(String output) {
        if (output.contains(TIMEOUT_WARNING)) {
            throw new IllegalArgumentException("ConsumerPerformance timed out before reading every record:\n"
                    + output);
        }
        List<String> lines = output.replace("\r", "").lines().toList();
        for (int i = 0; i < lines.size() - 1; i++) {
            if (lines.get(i).startsWith(HEADER_START)) {
                String[] fields = lines.get(i + 1).split(",");
                if (fields.length != 10) {
                    break;
                }
                try {
                    return new ConsumerResult(
                            Double.parseDouble(fields[2].trim()), Double.parseDouble(fields[3].trim()),
                            Long.parseLong(fields[4].trim()), Double.parseDouble(fields[5].trim()),
                            Long.parseLong(fields[6].trim()), Long.parseLong(fields[7].trim()),
                            Double.parseDouble(fields[8].trim()), Double.parseDouble(fields[9].trim()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("unreadable ConsumerPerformance summary '"
                            + lines.get(i + 1) + "': " + e.getMessage(), e);
                }
            }
        }
        throw new IllegalArgumentException("no ConsumerPerformance summary in its output:\n" + output);
    }
}
