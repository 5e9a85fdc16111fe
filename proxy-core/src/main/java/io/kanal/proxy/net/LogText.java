package io.kanal.proxy.net;

/**
 * Text a client chose (user names, mechanism names, host names asked for by SNI, what a SASL server says of a token),
 * made safe for a log line.
 */
public final class LogText {

    private static final int MAX_LENGTH = 64;

    private LogText() {
    }

    /** At most 64 characters, with control characters (line breaks that could forge log lines) as {@code ?}. */
    public static String printable(String text) {
        return printable(text, MAX_LENGTH);
    }

    /** At most {@code maxLength} characters, with control characters as {@code ?}. */
    public static String printable(String text, int maxLength) {
        if (text == null) {
            return "";
        }
        StringBuilder safe = new StringBuilder(Math.min(text.length(), maxLength + 3));
        text.codePoints().limit(maxLength).forEach(c -> safe.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        if (text.codePointCount(0, text.length()) > maxLength) {
            safe.append("...");
        }
        return safe.toString();
    }
}
