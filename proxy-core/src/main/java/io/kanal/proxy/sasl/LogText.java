package io.kanal.proxy.sasl;

/** Text a client chose (user names, mechanism names, what a SASL server says of its token), made safe for a log line. */
final class LogText {

    private static final int MAX_LENGTH = 64;

    private LogText() {
    }

    /** At most 64 characters, with control characters (line breaks that could forge log lines) as {@code ?}. */
    static String printable(String text) {
        return printable(text, MAX_LENGTH);
    }

    /** At most {@code maxLength} characters, with control characters as {@code ?}. */
    static String printable(String text, int maxLength) {
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
